// The relative-position matrix of a position plan, for the app's views and the tests: for each
// query i and key j of the first n tokens, the effective distance d'(i,j) = q_pos[i] − k_pos[j]
// of the branch the kernel uses (near, or far past the neighbour window), or "masked" where
// the key is not visible (j > i, outside the window and not a sink). The same rules as the
// attention of the forward pass (position_plan.hpp), evaluated on the CPU.
//
//   RelativePositions r = relative_positions(parse_method_spec("rerope:w=4"), model.config, 16);
//   if (r.visible(10, 2)) float d = r.at(10, 2);   // 4: capped at w
#pragma once
#include <cstdint>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

struct RelativePositions {
    enum Branch : uint8_t { Masked = 0, Near = 1, Far = 2 };
    int n = 0;
    std::vector<float> distance;   // n*n row-major [i][j]; NaN where masked
    std::vector<uint8_t> branch;   // n*n: Masked, Near or Far
    float at(int i, int j) const { return distance[size_t(i) * n + j]; }
    bool visible(int i, int j) const { return branch[size_t(i) * n + j] != Masked; }
    Branch branch_of(int i, int j) const { return Branch(branch[size_t(i) * n + j]); }
};

// For the first n tokens of `plan` (n <= plan.seq_len).
RelativePositions relative_positions(const PositionPlan& plan, int n);
// Builds the plan for n tokens and evaluates it.
RelativePositions relative_positions(const MethodSpec& spec, const ModelConfig& config, int n);

}  // namespace xl
