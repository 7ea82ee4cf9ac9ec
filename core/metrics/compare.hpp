// Comparing two configurations (e.g. a position method against the model's own RoPE) on the same
// text: per-position loss differences, and the KL divergence of the configuration's next-token
// distribution from the baseline's at every position.
//
//   LossDifference d = loss_difference(base.position_loss, yarn.position_loss);   // b − a per position
//   std::vector<double> kl = kl_per_position(base_logits.data(), cfg_logits.data(), n, vocab);
//   ConfigComparison c = compare_configurations(reference_logits(model), tokens, 512, /*windows*/ 4, bos,
//                                               base_plans, cfg_plans);
//
// KL direction: KL(P_base ‖ P_config) = Σ_v p_base(v)·(log p_base(v) − log p_config(v)), nats —
// the baseline is the reference distribution, as in llama.cpp's perplexity --kl-divergence.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/perplexity.hpp"

namespace xl {

struct LossDifference {
    std::vector<double> diff;  // b[p] − a[p] per position (NaN where either is NaN); > 0: b worse
    int64_t count = 0;         // positions where both are finite
    double mean_a = 0, mean_b = 0, mean_diff = 0;  // over those positions (NaN when count = 0)
    double b_better_fraction = 0;                  // fraction of them with b[p] < a[p]
};

// Per-position difference of two loss vectors over the same windows/positions (nll vectors of
// ForwardResult, or PerplexityResult::position_loss). Sizes must match (asserted).
LossDifference loss_difference(const std::vector<double>& a, const std::vector<double>& b);
LossDifference loss_difference(const std::vector<float>& a, const std::vector<float>& b);

// KL(P_base ‖ P_cfg) per row of two logits matrices [n][vocab] (raw logits; softmax inside,
// in double). Result size n, every value >= 0 up to rounding.
std::vector<double> kl_per_position(const float* base_logits, const float* cfg_logits, int n, int vocab);
// Same for one row.
double kl_divergence_logits(const float* base_logits, const float* cfg_logits, int vocab);

struct ConfigComparison {
    int length = 0;                         // window length (tokens)
    int windows = 0;                        // non-overlapping windows run
    // Mean over windows at window position p (predicted from 0..p-1); index 0 is NaN. Size length.
    std::vector<double> loss_base, loss_cfg;
    LossDifference diff;                    // loss_cfg − loss_base
    std::vector<double> kl;                 // mean KL(base ‖ cfg) at position p (NaN at 0)
    double mean_kl = 0;                     // over all scored positions of all windows
    NllStats base_stats, cfg_stats;         // all scored tokens ("all" protocol)
};

// Runs consecutive non-overlapping windows of `length` tokens ("all" protocol, §17) through both
// configurations, with logits from `logits` (reference_logits(model) for the CPU oracle, or
// forward_logits(backend)); losses are −log softmax(logits)[next token]. `bos` (-1 = none)
// replaces each window's first token. Throws Error(BadArgument) when no window fits.
ConfigComparison compare_configurations(const LogitsSource& logits, const std::vector<int>& tokens, int length,
                                        int max_windows, int bos, const PlanBuilder& base_plan,
                                        const PlanBuilder& cfg_plan);

}  // namespace xl
