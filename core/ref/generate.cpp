// Generation loop of generate.hpp: full recompute per step (no KV cache), last-position logits.
#include "core/ref/generate.hpp"

#include <cassert>
#include <cmath>
#include <random>

#include "core/error.hpp"
#include "core/model/tokenizer.hpp"

namespace xl {

PlanFactory method_plans(const MethodSpec& spec, const ModelConfig& config) {
    return [spec, config](int seq_len) { return make_plan(spec, config, seq_len); };
}

int pick_token(const std::vector<float>& logits, float temperature, double u) {
    assert(!logits.empty());
    int best = 0;
    for (int i = 1; i < int(logits.size()); ++i)
        if (logits[size_t(i)] > logits[size_t(best)]) best = i;
    if (temperature <= 0.f) return best;
    // Inverse-CDF draw from softmax(logits / T), shifted by the max for stability.
    std::vector<double> p(logits.size());
    double sum = 0;
    for (size_t i = 0; i < logits.size(); ++i) {
        p[i] = std::exp((double(logits[i]) - double(logits[size_t(best)])) / double(temperature));
        sum += p[i];
    }
    double target = u * sum, acc = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        acc += p[i];
        if (target < acc) return int(i);
    }
    return best;  // u·sum rounded up to the total: fall back to the mode
}

std::vector<int> generate(Forward& forward, const Model& model, const std::vector<int>& prompt, int n_new,
                          float temperature, uint64_t seed, const PlanFactory& plan_for, const StepObserver& observe) {
    if (prompt.empty()) throw Error(ErrorKind::BadArgument, "", "generation needs a non-empty prompt");
    const int bos = model.tokenizer ? model.tokenizer->bos() : -1;
    const int eos = model.tokenizer ? model.tokenizer->eos() : -1;
    std::mt19937_64 rng(seed);
    std::vector<int> tokens = prompt;
    for (int step = 0; step < n_new && int64_t(tokens.size()) < forward.max_tokens(); ++step) {
        ForwardRequest req;
        req.tokens = tokens;
        req.plan = plan_for(int(tokens.size()));
        req.want_nll = false;
        req.want_last_logits = true;
        const ForwardResult res = forward.run(req);
        const double u = double(rng() >> 11) * 0x1.0p-53;  // uniform [0,1) from 53 random bits
        const int next = pick_token(res.last_logits, temperature, u);
        if (observe) observe(tokens, res.last_logits, next);
        if (next == eos || next == bos) break;
        tokens.push_back(next);
    }
    return tokens;
}

}  // namespace xl
