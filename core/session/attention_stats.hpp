// Statistics of attention probabilities and of raw q·k, for the Entropy, ALiBi and Logit-decay
// panels. Inputs are full n×n row-major probability matrices (masked entries 0).
//
//   std::vector<double> h = row_entropy(p, n);          // nats per query row
//   std::vector<double> m = mass_within_distance(p, n); // m[d] = mean_i Σ_{i−j ≤ d} p(i,j)
//   std::vector<double> qk = live_qk_by_distance(model, tokens, plan, 1024);
#pragma once
#include <vector>

#include "core/forward/attention_stats.hpp"
#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

// Shannon entropy −Σ_j p log p of each row.
std::vector<double> row_entropy(const std::vector<float>& probs, int n);
// Effective receptive field: mean over rows of the attention mass at distance ≤ d, d = 0..n−1.
std::vector<double> mass_within_distance(const std::vector<float>& probs, int n);
// Per-layer means over heads of the statistics of one pass (ForwardResult::stats):
// entropy[l][i], sink_mass[l][i] per query; receptive[l][d] = Σ_{d' ≤ d} Σ_h mass(l,h,d') / (H·n),
// which equals mass_within_distance of the head-mean probabilities.
struct LayerMeans {
    std::vector<std::vector<double>> entropy, receptive, sink_mass;
};
LayerMeans layer_means(const AttentionStats& s);
// Layer-0 attention logits of the live model (embedding → first norm → Wq/Wk → RoPE of the plan,
// times the plan's query scale; no ALiBi bias), averaged over heads and over all query/key pairs
// at each distance d = 0..n−1. Later layers would need the full residual stream.
std::vector<double> live_qk_by_distance(const Model& model, const std::vector<int>& tokens,
                                        const PositionPlan& plan);
// RoFormer's long-term-decay bound (RoFormer §3.4.3): with S_j(m) = Σ_{k<j} e^{i m θ_k},
// bound(m) = (1/(d/2)) Σ_{j=1}^{d/2} |S_j(m)|, evaluated at the given distances.
std::vector<double> roformer_bound(const std::vector<double>& inv_freq, const std::vector<double>& distances);

}  // namespace xl
