#version 450
// Attention probabilities of one head (or the mean over heads) averaged over grid×grid blocks
// (block b covers [b·n/grid, (b+1)·n/grid); grid = n gives the full matrix; masked = 0).
// p(i,j) = exp(score(i,j) − lse(i)) with the row log-sum-exp written by attention.comp.
// A cell's rows may be split over several dispatches (p.slices; GpuOps::attention_probs): llvmpipe
// caps one invocation's loop iterations at 65535, which a large cell (few cells over many tokens,
// or the mean over heads) exceeds.
// Twin: xl::ref::attention (probs) + xl::ref::reduce_grid.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "grid.glsl"
#include "attention_mask.glsl"

layout(local_size_x = 64) in;
#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_probs.variants)
#endif
layout(constant_id = 0) const uint FAR = 0u;

layout(std430, binding = 0) readonly buffer QN { float q_near[]; };
layout(std430, binding = 1) readonly buffer KN { float k_near[]; };
layout(std430, binding = 2) readonly buffer QF { float q_far[]; };
layout(std430, binding = 3) readonly buffer KF { float k_far[]; };
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) buffer Out { float out_p[]; };
layout(push_constant) uniform PC { AttentionProbs p; };

void main() {
    const uint cell = flat_group() * 64u + gl_LocalInvocationID.x;
    const uint G = p.grid;
    if (cell >= G * G) return;
    const uint br = cell / G, bc = cell - br * G;
    const uint r0 = br * p.n / G, r1 = (br + 1u) * p.n / G;
    const uint c0 = bc * p.n / G, c1 = (bc + 1u) * p.n / G;
    if (r1 <= r0 || c1 <= c0) { if (p.slice == 0u) out_p[cell] = 0.0; return; }
    const uint s0 = r0 + (r1 - r0) * p.slice / p.slices, s1 = r0 + (r1 - r0) * (p.slice + 1u) / p.slices;
    const uint h0 = p.head < 0 ? 0u : uint(p.head);
    const uint h1 = p.head < 0 ? p.n_heads : h0 + 1u;
    const uint kv_stride = p.n_kv_heads * HD;
    float total = 0.0;
    for (uint h = h0; h < h1; ++h) {
        const uint kvh = h / (p.n_heads / p.n_kv_heads);
        const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
        for (uint i = s0; i < s1; ++i) {
            const uint qbase = (i * p.n_heads + h) * HD;
            const float scale = query_scale[i], row_lse = lse[i * p.n_heads + h];
            for (uint j = c0; j < min(c1, i + 1u); ++j) {
                if (!visible(i, j, p.window, p.sinks)) continue;
                const uint kb = j * kv_stride + kvh * HD;
                float dot_qk = 0.0;
                if (FAR != 0u && i - j >= p.far_window) {
                    [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_far[qbase + d] * k_far[kb + d];
                } else {
                    [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_near[qbase + d] * k_near[kb + d];
                }
                total += exp(scale * dot_qk - slope * float(i - j) - row_lse);
            }
        }
    }
    const float part = total / float(h1 - h0) / (float(r1 - r0) * float(c1 - c0));
    out_p[cell] = p.slice == 0u ? part : out_p[cell] + part;
}
