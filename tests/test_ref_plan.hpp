// Test helper: a plain-RoPE PositionPlan built by hand (θ_j = b^(−2j/d), positions 0..n−1,
// query scale 1/sqrt(head_dim); position-methods.md §1), so the reference tests do not depend
// on the method registry. ALiBi models get the given slopes instead of a rotation.
#pragma once
#include <cmath>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl::test {

inline PositionPlan plain_rope_plan(const ModelConfig& c, int n) {
    PositionPlan p;
    p.method = "none";
    p.seq_len = n;
    p.n_heads = c.n_heads;
    p.query_scale.assign(size_t(n), float(1.0 / std::sqrt(double(c.head_dim))));
    if (c.position == PositionSignal::RoPE) {
        p.layout = c.rope_layout;
        p.rope_dim = c.rope_dim > 0 ? c.rope_dim : c.head_dim;
        for (int j = 0; j < p.rope_dim / 2; ++j)
            p.inv_freq.push_back(float(std::pow(double(c.rope_base), -2.0 * j / p.rope_dim)));
        for (int i = 0; i < n; ++i) {
            p.near.q_pos.push_back(float(i));
            p.near.k_pos.push_back(float(i));
        }
    }
    if (c.position == PositionSignal::ALiBi) {
        p.alibi_slopes = c.alibi_slopes;  // else the geometric slopes 2^(−8(h+1)/H) (ALiBi paper)
        for (int h = int(p.alibi_slopes.size()); h < c.n_heads; ++h)
            p.alibi_slopes.push_back(float(std::pow(2.0, -8.0 * (h + 1) / c.n_heads)));
    }
    return p;
}

}  // namespace xl::test
