// Relative-position matrix figure: the effective distance q_pos[i] − k_pos[j] each method's
// attention uses (ReRoPE's cap, Self-Extend's grouped and neighbour positions, PI's scaled
// distances), transparent where the key is masked (causal, window, sinks, LM-Infinite Λ).
// position-methods.md §2, §10, §11, §15, §16.
#include <algorithm>
#include <cmath>

#include "core/posenc/relative_positions.hpp"
#include "core/session/figures.hpp"

namespace xl {

FigureSpec figure_relative_positions(const Results& r, int ci, int n) {
    const ConfigResult& c = r.configs.at(size_t(ci));
    FigureSpec f;
    f.id = std::string("relative_positions_") + c.label;
    f.title = config_name(c) + " - relative position (blank = masked)";
    f.x = {"Key position j", "", AxisScale::Linear};
    f.y = {"Query position i", "", AxisScale::Linear};
    f.width_in = 3.5;
    f.height_in = 3.0;
    n = std::clamp(n, 1, std::max(1, c.plan.seq_len));
    Heatmap h;
    h.rows = h.cols = n;
    h.x1 = h.y1 = n;
    h.colormap = "viridis";
    h.colorbar_label = "distance q_pos(i) - k_pos(j)";
    if (c.plan.seq_len > 0) {
        const RelativePositions rp = relative_positions(c.plan, n);
        h.values = rp.distance;
        int far = 0, masked = 0;
        for (uint8_t b : rp.branch) {
            far += b == RelativePositions::Far;
            masked += b == RelativePositions::Masked;
        }
        f.meta["far_branch_cells"] = std::to_string(far);
        f.meta["masked_cells"] = std::to_string(masked);
    } else {
        h.values.assign(size_t(n) * n, NAN);
    }
    if (c.plan.far.enabled) f.meta["neighbour_window"] = std::to_string(c.plan.far.neighbour_window);
    f.heatmap = std::move(h);
    add_common_meta(f, r);
    f.meta["tokens_shown"] = std::to_string(n);
    return f;
}

}  // namespace xl
