// LogitsSource implementations (see logits_source.hpp): the reference is the CPU oracle itself
// (xl::CpuForward, every architecture it runs), through the same all-logits request as a backend.
#include "core/metrics/logits_source.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <memory>

#include "core/error.hpp"
#include "core/ref/cpu_forward.hpp"

namespace xl {

std::vector<float> reference_all_logits(const Model& model, const std::vector<int>& tokens, const PositionPlan& plan,
                                        int from) {
    CpuForward cpu(model);
    return forward_logits(cpu)(tokens, plan, from);
}

LogitsSource reference_logits(const Model& model) {
    auto cpu = std::make_shared<CpuForward>(model);  // dequantised weights cached across calls
    return [cpu](const std::vector<int>& tokens, const PositionPlan& plan, int from) {
        return forward_logits(*cpu)(tokens, plan, from);
    };
}

LogitsSource forward_logits(Forward& forward) {
    return [&forward](const std::vector<int>& tokens, const PositionPlan& plan, int from) {
        const int n = int(tokens.size());
        assert(from >= 0 && from < n);
        ForwardRequest req;
        req.tokens = tokens;
        req.plan = plan;
        req.want_nll = false;
        req.want_all_logits = true;
        req.all_logits_from = from;
        ForwardResult r = forward.run(req);
        if (!r.all_logits.empty()) return std::move(r.all_logits);
        std::vector<float> out;
        for (int i = from; i < n; ++i) {  // causal: the first i+1 tokens under the same plan
            ForwardRequest one;
            one.tokens.assign(tokens.begin(), tokens.begin() + i + 1);
            one.plan = plan;
            one.want_nll = false;
            one.want_last_logits = true;
            const ForwardResult lr = forward.run(one);
            out.insert(out.end(), lr.last_logits.begin(), lr.last_logits.end());
        }
        return out;
    };
}

void log_softmax_row(const float* logits, int vocab, std::vector<double>& out) {
    out.resize(size_t(vocab));
    double mx = -std::numeric_limits<double>::infinity();
    for (int v = 0; v < vocab; ++v) mx = std::max(mx, double(logits[v]));
    double sum = 0;
    for (int v = 0; v < vocab; ++v) sum += std::exp(double(logits[v]) - mx);
    const double lse = mx + std::log(sum);
    for (int v = 0; v < vocab; ++v) out[size_t(v)] = double(logits[v]) - lse;
}

}  // namespace xl
