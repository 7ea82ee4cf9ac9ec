// CPU twin of the attention statistics (shaders/attention_rowstats.comp, attention_diagstats.comp;
// core/forward/attention_stats.hpp): the full softmax of every row of every head in double, then
// −Σ p ln p, the sink mass, the mass per distance and the logit counts, the naive way.
#pragma once
#include "core/forward/attention_stats.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl::ref {

// Inputs as ref::attention (q/k rotated, far copies null unless plan.far.enabled). Writes layer
// `layer` of `out` (sized by empty_stats); logit counts only when out.logit_counts is not empty.
void attention_stats(const float* q_near, const float* k_near, const float* q_far, const float* k_far, int n,
                     int n_heads, int n_kv_heads, int head_dim, const PositionPlan& plan, int sink_tokens, int layer,
                     AttentionStats& out);

}  // namespace xl::ref
