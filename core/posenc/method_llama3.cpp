// llama3: Llama-3(.1) frequency scaling (ref §9; HF _compute_llama3_parameters). With λ = 2π/θ:
// λ < L/high → θ; λ > L/low → θ/s; else smooth = (L/λ − low)/(high − low),
// θ' = (1 − smooth)·θ/s + smooth·θ. from=params computes these divisors (replacing any rope_freqs
// of the model); from=model uses the model's rope_freqs tensor (what llama.cpp's converter bakes:
// 1 / s / 1/((1−smooth)/s + smooth), algebraically identical).
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_llama3(const MethodArgs& a, PlanContext& c) {
    const double s = a.positive("s");
    const std::string from = a.choice("from");
    const auto raw = c.theta(0, /*raw=*/true);
    std::vector<double> div(c.pairs());
    if (from == "model") {
        if (c.freq_factors.empty())
            a.fail("from=model needs a rope_freqs tensor, and model '" + c.config.name + "' has none");
        div = c.freq_factors;
    } else {
        const double low = a.positive("low"), high = a.positive("high");
        const double orig = a.positive("orig", c.train_ctx);
        if (!(high > low)) a.fail("'high' must be > 'low'");
        for (int j = 0; j < c.pairs(); ++j) div[j] = rope::llama3_divisor(raw[j], s, low, high, orig);
        if (!c.freq_factors.empty()) c.note("llama3: parameters replace the model's rope_freqs");
    }
    c.inv_freq.resize(c.pairs());
    for (int j = 0; j < c.pairs(); ++j) {
        c.inv_freq[j] = raw[j] / div[j];
        // interpolation weight w with 1/div = w/s + (1 − w)
        c.ramp[j] = s != 1 ? (1.0 - 1.0 / div[j]) / (1.0 - 1.0 / s) : 0.0;
    }
    c.conventions.push_back(from == "model" ? "rope_freqs" : "hf");
}

}  // namespace

void register_llama3(MethodRegistry& r) {
    r.add({"llama3", "Llama-3 scaling: keep high frequencies, divide low ones by s, smooth between", "§9",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "8", "factor", {}},
            {"low", KeyKind::Number, "1", "low_freq_factor", {}},
            {"high", KeyKind::Number, "4", "high_freq_factor", {}},
            {"orig", KeyKind::Number, "", "model's training context (original_max_position_embeddings)", {}},
            {"from", KeyKind::Choice, "params", "divisors from the parameters or the model's rope_freqs",
             {"params", "model"}}},
           build_llama3, {"llama3.1"}});
}

}  // namespace xl
