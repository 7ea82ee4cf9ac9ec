// A grid case of the attention tests (tests/test_gpu_ops_attention.cpp, test_gpu_attention_stats.cpp)
// and the PositionPlan it stands for: RoPE (partial, either layout, mscale), windows with sinks,
// a ReRoPE-like far branch, ALiBi, per-query scales, xPos.
#pragma once
#include <cmath>

#include "core/posenc/position_plan.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl::test {

struct Case {
    int n, heads, kv, hd;
    int rope_dim;              // 0 = no rotation (ALiBi-style)
    RopeLayout layout = RopeLayout::Normal;
    float mscale = 1.f;
    int window = 0, sinks = 0;
    int far_window = 0;        // > 0 enables the far branch
    bool alibi = false;
    bool varying_scale = false;
    float xpos_gamma = 0;      // > 0: xPos with this γ, torchscale centre (position-methods.md §14)
};

inline PositionPlan make_test_plan(const Case& c) {
    PositionPlan p;
    p.seq_len = c.n;
    p.n_heads = c.heads;
    p.layout = c.layout;
    p.rope_dim = c.rope_dim;
    p.mscale = c.mscale;
    for (int j = 0; j < c.rope_dim / 2; ++j) p.inv_freq.push_back(float(std::pow(10000.0, -2.0 * j / c.rope_dim)));
    for (int i = 0; i < c.n; ++i) {
        p.near.q_pos.push_back(float(i));
        p.near.k_pos.push_back(float(i));
        p.query_scale.push_back(float((c.varying_scale ? 1.0 + 0.3 * std::log1p(i) : 1.0) / std::sqrt(c.hd)));
    }
    if (c.far_window > 0) {  // ReRoPE-like: far queries at a fixed position, keys at 0 (position-methods.md §10)
        p.far.enabled = true;
        p.far.neighbour_window = c.far_window;
        p.far.pos.q_pos.assign(size_t(c.n), float(c.far_window));
        p.far.pos.k_pos.assign(size_t(c.n), 0.f);
    }
    if (c.alibi)
        for (int h = 0; h < c.heads; ++h) p.alibi_slopes.push_back(std::pow(2.f, -8.f * float(h + 1) / float(c.heads)));
    p.window = c.window;
    p.sinks = c.sinks;
    if (c.xpos_gamma > 0) {
        for (int j = 0; j < c.rope_dim / 2; ++j) p.xpos.zeta.push_back(float(rope::xpos_zeta(j, c.rope_dim)));
        p.xpos.scale_base = c.xpos_gamma;
        p.xpos.centre = float(rope::xpos_centre_torchscale(c.n));
    }
    return p;
}

}  // namespace xl::test
