#include "core/metrics/nbce_baseline.hpp"

#include "core/error.hpp"

namespace xl {

NllStats score_full_context(Forward& forward, const std::vector<int>& tokens, const NbceEvalOptions& o,
                            const PlanBuilder& make_plan) {
    const int C = o.context_len, M = o.continuation_len;
    const int bos_n = o.nbce.bos >= 0 ? 1 : 0;
    const int64_t span = int64_t(C) + M;
    if (C < 1 || M < 2 || int64_t(tokens.size()) < span)
        throw Error(ErrorKind::BadArgument, "nbce", "one sample needs " + std::to_string(span) + " tokens");
    if (span + bos_n > forward.max_tokens())
        throw Error(ErrorKind::OutOfMemory, "length " + std::to_string(span + bos_n),
                    "too long for the memory of " + forward.device_name());
    NllStats stats;
    int samples = 0;
    for (int64_t s0 = 0; s0 + span <= int64_t(tokens.size()); s0 += span) {  // the samples of evaluate_nbce
        if (o.max_samples > 0 && samples >= o.max_samples) break;
        ForwardRequest req;
        if (bos_n) req.tokens.push_back(o.nbce.bos);
        req.tokens.insert(req.tokens.end(), tokens.begin() + s0, tokens.begin() + s0 + span);
        req.plan = make_plan(int(req.tokens.size()));
        const ForwardResult r = forward.run(req);
        // nll[i] predicts tokens[i + 1]; continuation index i sits at bos_n + C + i.
        for (int i = bos_n ? 0 : 1; i < M; ++i) stats.add(r.nll[size_t(bos_n + C + i - 1)]);
        ++samples;
    }
    return stats;
}

}  // namespace xl
