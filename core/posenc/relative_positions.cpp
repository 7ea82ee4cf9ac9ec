// Relative-position matrix of a plan (see relative_positions.hpp; rules of position_plan.hpp).
#include "core/posenc/relative_positions.hpp"

#include <cassert>
#include <limits>

namespace xl {

RelativePositions relative_positions(const PositionPlan& plan, int n) {
    assert(n >= 0 && n <= plan.seq_len);
    RelativePositions r;
    r.n = n;
    r.distance.assign(size_t(n) * n, std::numeric_limits<float>::quiet_NaN());
    r.branch.assign(size_t(n) * n, RelativePositions::Masked);
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j <= i; ++j) {
            const bool visible = plan.window == 0 || i - j < plan.window || j < plan.sinks;
            if (!visible) continue;
            const bool far = plan.far.enabled && i - j >= plan.far.neighbour_window;
            const BranchPositions& b = far ? plan.far.pos : plan.near;
            const size_t at = size_t(i) * n + j;
            r.distance[at] = b.q_pos[i] - b.k_pos[j];
            r.branch[at] = far ? RelativePositions::Far : RelativePositions::Near;
        }
    }
    return r;
}

RelativePositions relative_positions(const MethodSpec& spec, const ModelConfig& config, int n) {
    return relative_positions(make_plan(spec, config, n), n);
}

}  // namespace xl
