// longrope: LongRoPE per-pair rescale factors θ'_j = θ_j / λ_j with a "long" and a "short" set
// (ref §8). Factors come from the spec (long=a/b/c/..., short=...) or from the model's
// rope_factors_long / rope_factors_short tensors (GGUF). Which set (§19 #10):
//   select=hf        long iff the current length L > orig (HF longrope_frequency_update, per forward);
//   select=llamacpp  a single rope_freqs tensor if the model has one; else long iff the configured
//                    context ctx > orig (llama_model::get_rope_factors, fixed for the session).
// Attention factor on cos and sin, applied for either set: `attention_factor` if > 0, else by
// policy: su √(1 + ln s / ln orig) (HF default; Phi-3-mini-128k s = 32: 1.1902381) or yarn 0.1 ln s + 1.
// dynamic=1: the LongRoPE repository's dynamic variant, λ' = 1 + (λ−1)·(s_cur−1)/(s−1) with
// s_cur = max(1, L/orig) (longrope.py:105-114).
#include <algorithm>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

std::vector<double> factors(const MethodArgs& a, PlanContext& c, const std::string& key,
                            const std::vector<float>& from_model) {
    std::vector<double> f = a.list(key);
    if (f.empty() && !from_model.empty()) {
        f.assign(from_model.begin(), from_model.end());  // not named in the resolved spec: re-parsing it
        c.note("longrope: " + key + " factors from the model's rope_factors_" + key);  // reads them again
    }
    if (f.empty())
        a.fail("needs " + key + " factors: " + key + "=f0/f1/... (" + std::to_string(c.pairs()) +
               " values) or a model with rope_factors_" + key);
    if (int(f.size()) != c.pairs())
        a.fail("'" + key + "' has " + std::to_string(f.size()) + " factors; the rotary dimension has " +
               std::to_string(c.pairs()) + " pairs");
    for (double x : f)
        if (!(x > 0)) a.fail("'" + key + "' factors must be > 0");
    return f;
}

double default_scale(const PlanContext& c, double orig) {
    if (c.config.rope_scaling.factor > 0) return c.config.rope_scaling.factor;
    return c.config.file_context_length > orig ? c.config.file_context_length / orig : 1.0;
}

void build_longrope(const MethodArgs& a, PlanContext& c) {
    const int model_orig = c.config.rope_scaling.original_context;
    const double orig = a.positive("orig", model_orig > 0 ? model_orig : c.train_ctx);
    const double s = a.positive("s", default_scale(c, orig));
    const std::string select = a.choice("select");
    std::vector<double> f;
    std::string which;
    if (select == "llamacpp" && !c.freq_factors.empty() && !a.given("long") && !a.given("short")) {
        f = c.freq_factors;
        which = "rope_freqs";
    } else {
        const double len = select == "hf" ? c.n : a.positive("ctx", c.config.file_context_length);
        which = len > orig ? "long" : "short";
        f = factors(a, c, which, which == "long" ? c.config.rope_factors_long : c.config.rope_factors_short);
    }
    for (const char* key : {"long", "short"})  // the resolved spec keeps both given sets,
        if (a.given(key)) a.list(key);          // so it reproduces at any length
    if (a.num("dynamic") != 0 && s > 1) {  // LongRoPE dynamic variant: λ' = 1 + (λ−1)(s_cur−1)/(s−1)
        const double s_cur = std::max(1.0, c.n / orig);
        for (double& x : f) x = 1 + (x - 1) * (s_cur - 1) / (s - 1);
    }
    const auto raw = c.theta(0, /*raw=*/true);
    c.inv_freq.resize(c.pairs());
    for (int j = 0; j < c.pairs(); ++j) c.inv_freq[j] = raw[j] / f[j];
    const double explicit_factor = a.num("attention_factor");
    const std::string policy = a.choice("policy");
    double af = policy == "su" ? rope::longrope_su_factor(s, orig) : rope::yarn_get_mscale(s);
    if (explicit_factor > 0) af = explicit_factor;
    c.mscale = c.attention_factor = af;
    c.conventions.push_back(select == "llamacpp" ? "llama.cpp" : "hf");
    c.note("longrope: " + which + " factors, attention factor " + format_number(af));
}

}  // namespace

void register_longrope(MethodRegistry& r) {
    r.add({"longrope", "LongRoPE: per-pair rescale factors (long/short sets) + attention factor", "§8",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"long", KeyKind::List, "", "model's rope_factors_long; or f0/f1/... one per pair", {}},
            {"short", KeyKind::List, "", "model's rope_factors_short; or f0/f1/... one per pair", {}},
            {"s", KeyKind::Number, "", "model's rope scaling factor, else context_length/orig", {}},
            {"orig", KeyKind::Number, "", "model's original context, else training context", {}},
            {"select", KeyKind::Choice, "hf", "which set: hf (by current length) or llamacpp (by ctx)",
             {"hf", "llamacpp"}},
            {"ctx", KeyKind::Number, "", "llama.cpp configured context (model's context_length)", {}},
            {"policy", KeyKind::Choice, "su", "attention factor rule: su or yarn", {"su", "yarn"}},
            {"attention_factor", KeyKind::Number, "0", "explicit attention factor (0 = by policy)", {}, true},
            {"dynamic", KeyKind::Number, "0", "1 = factors scaled to the current length (LongRoPE dynamic)", {}, true}},
           build_longrope, {"su"}});
}

}  // namespace xl
