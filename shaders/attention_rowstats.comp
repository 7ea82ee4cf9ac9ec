#version 450
// Per-query attention statistics of every head of one layer, from the row log-sum-exp that
// attention.comp (or attention_coop.comp) wrote: p(i,j) = exp(s(i,j) − lse(i)) with the score of
// attention.comp, s = query_scale[i]·(q_i·k_j) − slope·(i − j), under the plan's mask and branches.
//   entropy(i)   = Σ_j p·(lse − s)  (= −Σ_j p ln p; every term ≥ 0, so nothing cancels)
//   sink_mass(i) = Σ_{j < sink_tokens} p  (attention sinks: StreamingLLM, position-methods.md §15)
// One query per invocation; key j is the same for every lane (uniform fetch). The key loop runs
// at most n times per invocation (llvmpipe's 65535-iteration cap, see attention.comp).
// Out: [2][H][n] floats from p.rows_offset, entropy then sink mass. Twin: xl::ref::attention_stats.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "attention_mask.glsl"
#include "attention_stats.h"

#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_rowstats.variants)
#endif
#define HV (HD / 4)
layout(local_size_x = XL_STATS_GROUP) in;
layout(constant_id = 0) const uint FAR = 0u;

layout(std430, binding = 0) readonly buffer QN { vec4 q_near[]; };
layout(std430, binding = 1) readonly buffer KN { vec4 k_near[]; };
layout(std430, binding = 2) readonly buffer QF { vec4 q_far[]; };
layout(std430, binding = 3) readonly buffer KF { vec4 k_far[]; };
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) writeonly buffer Out { float out_rows[]; };
layout(push_constant) uniform PC { AttentionStats p; };

void main() {
    const uint h = gl_WorkGroupID.y;
    const uint kvh = h / (p.n_heads / p.n_kv_heads);
    const uint kv_stride = p.n_kv_heads * HV;
    const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
    const uint q0 = gl_WorkGroupID.x * XL_STATS_GROUP;
    const uint i = q0 + gl_LocalInvocationID.x;
    const bool live = i < p.n;
    const uint qi = min(i, p.n - 1u);
    const float scale = query_scale[qi], row_lse = lse[qi * p.n_heads + h];
    const uint qbase = (qi * p.n_heads + h) * HV;
    vec4 q[HV], qf[HV];
    [[unroll]] for (uint d = 0u; d < HV; ++d) {
        q[d] = q_near[qbase + d] * scale;
        qf[d] = FAR != 0u ? q_far[qbase + d] * scale : vec4(0.0);
    }
    // Keys seen by this workgroup: the sinks [0, a_end) and the band [b_start, last query] (attention.comp).
    const uint qend = min(q0 + XL_STATS_GROUP, p.n);
    uint a_end = 0u, b_start = 0u;
    if (p.window != 0u) {
        a_end = min(p.sinks, qend);
        b_start = max(a_end, q0 + 1u > p.window ? q0 + 1u - p.window : 0u);
    }
    float entropy = 0.0, sink = 0.0;
    for (uint range = 0u; range < 2u; ++range) {
        const uint j_begin = range == 0u ? 0u : b_start;
        const uint j_end = range == 0u ? a_end : qend;
        for (uint j = j_begin; j < j_end; ++j) {
            const uint kb = j * kv_stride + kvh * HV;
            float dn = 0.0, df = 0.0;
            [[unroll]] for (uint d = 0u; d < HV; ++d) {
                dn += dot(q[d], k_near[kb + d]);
                if (FAR != 0u) df += dot(qf[d], k_far[kb + d]);
            }
            if (live && visible(i, j, p.window, p.sinks)) {
                const bool far_j = FAR != 0u && i >= j + p.far_window;
                const float s = (far_j ? df : dn) - slope * float(i - j);
                const float pj = exp(s - row_lse);
                entropy += pj * (row_lse - s);
                if (j < p.sink_tokens) sink += pj;
            }
        }
    }
    if (!live) return;
    out_rows[p.rows_offset + h * p.n + i] = entropy;
    out_rows[p.rows_offset + (p.n_heads + h) * p.n + i] = sink;
}
