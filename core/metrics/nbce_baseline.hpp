// The baseline NBCE is compared with on long text: the plain model reading the whole context in
// one window (beyond its training length, under a position method), scoring the same
// continuation tokens of the same samples as evaluate_nbce (core/metrics/nbce.hpp).
//
//   NllStats full = score_full_context(gpu, stream.tokens, nbce_opts, plans);   // plans: e.g. none or yarn
#pragma once
#include <vector>

#include "core/metrics/nbce.hpp"

namespace xl {

// Each sample is [bos] + context_len + continuation_len tokens in one forward pass; scored are the
// continuation tokens evaluate_nbce scores (all of them with a BOS, all but the first without).
// Error(OutOfMemory) from the backend when a sample is too long for it.
NllStats score_full_context(Forward& forward, const std::vector<int>& tokens, const NbceEvalOptions& options,
                            const PlanBuilder& make_plan);

}  // namespace xl
