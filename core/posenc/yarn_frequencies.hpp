// The YaRN / NTK-by-parts frequency remap shared by yarn, ntkparts, dynyarn and yarn_deepseek
// (position-methods.md §5, §6.1). Sets ctx.inv_freq, ctx.ramp and the correction range.
//
//   YarnParams p{.s = 4, .orig = 512};
//   apply_yarn_frequencies(ctx, p);   // θ'_j = θ_j·[w_j/s + (1 − w_j)]
#pragma once
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {

struct YarnParams {
    double s = 1;            // scale factor
    double orig = 0;         // original (training) context L used for the correction range
    double beta_fast = 32;   // rotations in L above which a pair keeps its frequency
    double beta_slow = 1;    // rotations in L below which a pair is divided by s
    bool truncate = true;    // floor/ceil the correction range (§6.1)
    double ext_factor = 1;   // extrapolation mix (ggml ext_factor, YaRN repo extrapolation_factor)
    bool paper_ramp = false; // §5: ramp linear in r = L/λ (α = beta_slow, β = beta_fast) instead of j
};

rope::CorrRange apply_yarn_frequencies(PlanContext& ctx, const YarnParams& p);

}  // namespace xl
