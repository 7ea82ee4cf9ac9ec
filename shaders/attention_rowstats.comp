#version 450
// Per-query attention statistics of every head of one layer, from the row log-sum-exp that
// attention.comp (or attention_coop.comp) wrote: p(i,j) = exp(s(i,j) − lse(i)) with the score of
// attention.comp, s = query_scale[i]·(q_i·k_j) − slope·(i − j), under the plan's mask and branches.
//   entropy(i)   = Σ_j p·(lse − s)  (= −Σ_j p ln p; every term ≥ 0, so nothing cancels)
//   sink_mass(i) = Σ_{j < sink_tokens} p  (attention sinks: StreamingLLM, position-methods.md §15)
// Laid out as attention.comp, for CPU drivers: QL queries per invocation, keys read through texel
// views (one uniform gather serves every lane) in blocks of BK keys, and blocks wholly before
// every query of the workgroup skip the mask. Head-vector loops are unrolled (llvmpipe's
// 65535-iteration cap, see attention.comp).
// Out: [2][H][n] floats from p.rows_offset, entropy then sink mass. Twin: xl::ref::attention_stats.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "attention_mask.glsl"
#include "attention_stats.h"
#include "attention_tiles.h"

#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_rowstats.variants)
#endif
#define HV (HD / 4)
#define QL XL_ATTENTION_QUERIES_PER_LANE(HD)
layout(local_size_x = XL_STATS_GROUP) in;
layout(constant_id = 0) const uint FAR = 0u;
const uint BK = 8u;

// Texel-buffer bindings first (lavapipe mis-compiles texel buffers interleaved with storage buffers).
layout(binding = 0) uniform samplerBuffer k_near;   // RGBA32F [n][KV][HD/4]
layout(binding = 1) uniform samplerBuffer k_far;
layout(std430, binding = 2) readonly buffer QN { vec4 q_near[]; };
layout(std430, binding = 3) readonly buffer QF { vec4 q_far[]; };
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
    const uint q0 = gl_WorkGroupID.x * XL_STATS_GROUP * QL;

    // Queries i[a] = q0 + lane + 64·a, pre-multiplied by query_scale[i].
    uint i[QL];
    bool live[QL];
    vec4 q[QL][HV], qf[QL][HV];
    float row_lse[QL], entropy[QL], sink[QL];
    [[unroll]] for (uint a = 0u; a < QL; ++a) {
        i[a] = q0 + gl_LocalInvocationID.x + XL_STATS_GROUP * a;
        live[a] = i[a] < p.n;
        const uint qi = min(i[a], p.n - 1u);
        const float scale = query_scale[qi];
        const uint qbase = (qi * p.n_heads + h) * HV;
        [[unroll]] for (uint d = 0u; d < HV; ++d) {
            q[a][d] = q_near[qbase + d] * scale;
            qf[a][d] = FAR != 0u ? q_far[qbase + d] * scale : vec4(0.0);
        }
        row_lse[a] = lse[qi * p.n_heads + h];
        entropy[a] = 0.0;
        sink[a] = 0.0;
    }
    // Keys seen by this workgroup: the sinks [0, a_end) and the band [b_start, last query] (attention.comp).
    const uint qend = min(q0 + XL_STATS_GROUP * QL, p.n);
    uint a_end = 0u, b_start = 0u;
    if (p.window != 0u) {
        a_end = min(p.sinks, qend);
        b_start = max(a_end, q0 + 1u > p.window ? q0 + 1u - p.window : 0u);
    }
    for (uint range = 0u; range < 2u; ++range) {
        const uint j_begin = range == 0u ? 0u : b_start;
        const uint j_end = range == 0u ? a_end : qend;
        for (uint j0 = j_begin; j0 < j_end; j0 += BK) {
            const bool interior = p.window == 0u && FAR == 0u && j0 + BK <= q0 + 1u;
            [[unroll]] for (uint b = 0u; b < BK; ++b) {
                const uint j = j0 + b;
                const uint kb = min(j, p.n - 1u) * kv_stride + kvh * HV;
                vec4 kn[HV], kf[HV];
                [[unroll]] for (uint d = 0u; d < HV; ++d) {
                    kn[d] = texelFetch(k_near, int(kb + d));
                    kf[d] = FAR != 0u ? texelFetch(k_far, int(kb + d)) : vec4(0.0);
                }
                const bool sink_key = j < p.sink_tokens;
                [[unroll]] for (uint a = 0u; a < QL; ++a) {
                    float dn = 0.0, df = 0.0;
                    [[unroll]] for (uint d = 0u; d < HV; ++d) {
                        dn += dot(q[a][d], kn[d]);
                        if (FAR != 0u) df += dot(qf[a][d], kf[d]);
                    }
                    const bool vis = interior || (live[a] && j < j_end && visible(i[a], j, p.window, p.sinks));
                    if (vis) {
                        const bool far_j = FAR != 0u && i[a] >= j + p.far_window;
                        const float s = (far_j ? df : dn) - slope * float(i[a] - j);
                        const float pj = exp(s - row_lse[a]);
                        entropy[a] += pj * (row_lse[a] - s);
                        if (sink_key) sink[a] += pj;
                    }
                }
            }
        }
    }
    [[unroll]] for (uint a = 0u; a < QL; ++a) {
        if (!live[a]) continue;
        out_rows[p.rows_offset + h * p.n + i[a]] = entropy[a];
        out_rows[p.rows_offset + (p.n_heads + h) * p.n + i[a]] = sink[a];
    }
}
