// The next-token logits at every position of a window, wherever they come from: metrics that
// need whole distributions (KL divergence to a baseline, NBCE) take a LogitsSource.
//
//   LogitsSource src = reference_logits(model);        // one CPU reference pass per call (xl::CpuForward)
//   LogitsSource src = forward_logits(gpu);            // the backend's all-logits output, if it has one
//   std::vector<float> rows = src(tokens, plan, /*from*/ 0);   // [n − from][vocab]
//
// forward_logits asks the backend for ForwardRequest::want_all_logits; a backend that leaves
// ForwardResult::all_logits empty is run once per prefix with want_last_logits instead (the same
// plan, truncated by the causal mask: O(n²), correct, slow). reference_logits is forward_logits
// over a CpuForward that it owns, so the oracle's logits come from the oracle's one forward pass.
#pragma once
#include <functional>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/model/model.hpp"

namespace xl {

// Logits of rows from .. n−1 of `tokens` (row i predicts tokens[i+1]), row-major [n − from][vocab].
using LogitsSource =
    std::function<std::vector<float>(const std::vector<int>& tokens, const PositionPlan& plan, int from)>;

LogitsSource forward_logits(Forward& forward);       // keeps a reference to `forward`
LogitsSource reference_logits(const Model& model);   // keeps a reference to `model`; weights cached

// One CPU reference pass's logits (dequantises the weights on every call).
std::vector<float> reference_all_logits(const Model& model, const std::vector<int>& tokens,
                                        const PositionPlan& plan, int from);

// log-softmax of one row, in double.
void log_softmax_row(const float* logits, int vocab, std::vector<double>& out);

}  // namespace xl
