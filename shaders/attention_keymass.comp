#version 450
// Attention mass each key of an explicit key set receives (the KV-cache eviction policies:
// H2O's accumulated attention, SnapKV's observation-window votes), without a probability map:
//   out[out_offset + j] = Σ_h Σ_{t = first_query}^{n−1} exp(score(t, j, h) − lse(t, h)),
// score as in attention.comp's KEYSET variant (plan indices query_index[t] and key_index[j] for
// the mask, branch and ALiBi distance; query_scale per query row) and lse written by it.
// One workgroup per key; its lanes share the (head, query) pairs and sum them in shared memory.
// Twin: xl::ref::add_key_mass over the probabilities of xl::ref::attention_keyset.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "grid.glsl"
#include "attention_mask.glsl"

#define WG 64u
layout(local_size_x = 64) in;
#include "reduce.glsl"
#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_keymass.variants)
#endif
layout(constant_id = 0) const uint FAR = 0u;

layout(std430, binding = 0) readonly buffer QN { float q_near[]; };
layout(std430, binding = 1) readonly buffer KN { float k_near[]; };
layout(std430, binding = 2) readonly buffer QF { float q_far[]; };
layout(std430, binding = 3) readonly buffer KF { float k_far[]; };
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) readonly buffer QI { uint query_index[]; };
layout(std430, binding = 8) readonly buffer KI { uint key_index[]; };
layout(std430, binding = 9) writeonly buffer Out { float mass[]; };
layout(push_constant) uniform PC { AttentionKeyMass p; };

void main() {
    const uint j = flat_group();
    if (j >= p.keys) return;  // uniform per workgroup: the whole group leaves before any barrier
    const uint pj = key_index[j];
    const uint group = p.n_heads / p.n_kv_heads;
    const uint first = min(p.first_query, p.n), pairs = p.n_heads * (p.n - first);
    float sum = 0.0;
    for (uint e = gl_LocalInvocationID.x; e < pairs; e += WG) {
        const uint h = e % p.n_heads, t = first + e / p.n_heads, pi = query_index[t];
        if (!visible(pi, pj, p.window, p.sinks)) continue;
        const uint qbase = (t * p.n_heads + h) * HD, kb = (j * p.n_kv_heads + h / group) * HD;
        float dot_qk = 0.0;
        if (FAR != 0u && pi - pj >= p.far_window) {
            [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_far[qbase + d] * k_far[kb + d];
        } else {
            [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_near[qbase + d] * k_near[kb + d];
        }
        const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
        sum += exp(query_scale[t] * dot_qk - slope * float(pi - pj) - lse[t * p.n_heads + h]);
    }
    sum = group_sum(sum);
    if (gl_LocalInvocationID.x == 0u) mass[p.out_offset + j] = sum;
}
