#version 450
// Attention probabilities of chosen query rows over every key, for every head (needle
// retrieval: where the answer tokens look), without an n×n map:
//   out[out_offset + (h·R + r)·n + j] = exp(score(rows[r], j) − lse(rows[r], h)), masked = 0,
// with score as in attention.comp (near/far branch, query scale, ALiBi) and lse written by it.
// One invocation per (row, key); workgroups z = head. Twin: xl::ref::attention_rows.
// KEYSET variants: p.n keys of an explicit key set (as attention.comp's KEYSET): row r is the
// query row rows[r] at plan index query_index[rows[r]], key j at key_index[j]; query_scale is per
// query row. Twin: the probabilities of xl::ref::attention_keyset.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "grid.glsl"
#include "attention_mask.glsl"

layout(local_size_x = 64) in;
#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_rows.variants)
#endif
layout(constant_id = 0) const uint FAR = 0u;

layout(std430, binding = 0) readonly buffer QN { float q_near[]; };
layout(std430, binding = 1) readonly buffer KN { float k_near[]; };
layout(std430, binding = 2) readonly buffer QF { float q_far[]; };
layout(std430, binding = 3) readonly buffer KF { float k_far[]; };
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) readonly buffer Rows { uint rows[]; };
layout(std430, binding = 8) buffer Out { float out_p[]; };
#ifdef KEYSET
layout(std430, binding = 9) readonly buffer QI { uint query_index[]; };
layout(std430, binding = 10) readonly buffer KI { uint key_index[]; };
#define QPOS(t) query_index[t]
#define KPOS(j) key_index[j]
#else
#define QPOS(t) (t)
#define KPOS(j) (j)
#endif
layout(push_constant) uniform PC { AttentionRows p; };

void main() {
    const uint cell = flat_group() * 64u + gl_LocalInvocationID.x;  // r·n + j
    if (cell >= p.rows * p.n) return;
    const uint h = gl_WorkGroupID.z;
    const uint r = cell / p.n, j = cell - r * p.n;
    const uint i = rows[r], pi = QPOS(i), pj = KPOS(j);
    const uint at = p.out_offset + (h * p.rows + r) * p.n + j;
    if (!visible(pi, pj, p.window, p.sinks)) { out_p[at] = 0.0; return; }
    const uint kvh = h / (p.n_heads / p.n_kv_heads);
    const uint qbase = (i * p.n_heads + h) * HD, kb = j * p.n_kv_heads * HD + kvh * HD;
    float dot_qk = 0.0;
    if (FAR != 0u && pi - pj >= p.far_window) {
        [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_far[qbase + d] * k_far[kb + d];
    } else {
        [[unroll]] for (uint d = 0u; d < HD; ++d) dot_qk += q_near[qbase + d] * k_near[kb + d];
    }
    const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
    out_p[at] = exp(query_scale[i] * dot_qk - slope * float(pi - pj) - lse[i * p.n_heads + h]);
}
