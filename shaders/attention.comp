#version 450
// Attention in key blocks with an online softmax (flash-attention style): QL queries per
// invocation (common/attention_tiles.h), one head per workgroup row; memory is linear in n
// (no n×n buffer). Consumes the plan as data: mask (window, sinks), near/far branch,
// query_scale[i], ALiBi slopes, GQA. Keys and values are read through texel views (cheap
// uniform gathers on CPU drivers), once per QL queries. Also writes each row's log-sum-exp for
// the probe path (attention_probs). Twin: xl::ref::attention.
// KEYSET variants (attention.variants): n queries over an explicit set of p.keys keys (a KV cache
// plus a chunk, core/forward/vulkan_eviction.cpp): query t stands at plan index query_index[t],
// key j at key_index[j] (both ascending); mask, branch and ALiBi distance are those of the pair of
// indices, query_scale is per query row. Twin: xl::ref::attention_keyset.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "attention_mask.glsl"
#include "attention_tiles.h"

#ifndef HD
#define HD 64                                  // head_dim: one variant per size (attention.variants)
#endif
#define HV (HD / 4)                            // vec4s per head vector
#define QL XL_ATTENTION_QUERIES_PER_LANE(HD)
// Loops over the head vector are unrolled for every head size. llvmpipe (gallivm) caps the loop
// iterations of one invocation at 65535 (LP_MAX_TGSI_LOOP_ITERATIONS), counted over all its
// loops: rolled loops over HV inside the key loop cost ~4·HV iterations per key and cut the key
// loop short (head size 256: after ~250 keys; 128: ~500), which gave wrong attention.
#define XL_UNROLL_HD [[unroll]]
layout(local_size_x = XL_ATTENTION_GROUP) in;
layout(constant_id = 0) const uint FAR = 0u;   // 1: plan.far.enabled
const uint BK = 8u;                            // keys per online-softmax block
const float NEG = -3.0e38;

// Texel-buffer bindings come first (lavapipe mis-compiles texel buffers interleaved with storage buffers).
layout(binding = 0) uniform samplerBuffer k_near;   // RGBA32F [n][KV][HD/4]
layout(binding = 1) uniform samplerBuffer k_far;
layout(binding = 2) uniform samplerBuffer v_tex;
layout(std430, binding = 3) readonly buffer QN { vec4 q_near[]; };
layout(std430, binding = 4) readonly buffer QF { vec4 q_far[]; };
layout(std430, binding = 5) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 6) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 7) writeonly buffer Out { vec4 out_v[]; };
layout(std430, binding = 8) writeonly buffer Lse { float lse[]; };
#ifdef KEYSET
layout(std430, binding = 9) readonly buffer QI { uint query_index[]; };
layout(std430, binding = 10) readonly buffer KI { uint key_index[]; };
#define QPOS(t) query_index[t]
#define KPOS(j) key_index[j]
#else
#define QPOS(t) (t)
#define KPOS(j) (j)
#endif
layout(push_constant) uniform PC { Attention p; };

void main() {
    const uint h = gl_WorkGroupID.y;
    const uint kvh = h / (p.n_heads / p.n_kv_heads);
    const uint kv_stride = p.n_kv_heads * HV;   // in vec4s
    const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
    const uint q0 = (gl_WorkGroupID.x + p.first_group) * XL_ATTENTION_GROUP * QL;

    // Queries i[a] = q0 + lane + 64·a at plan index pi[a], pre-multiplied by query_scale[i]:
    // score = query_scale[i]·(q·k) − slope·(pi − key's plan index).
    uint i[QL], pi[QL];
    bool live[QL];
    vec4 q[QL][HV], qf[QL][HV], acc[QL][HV];
    float m[QL], l[QL];
    [[unroll]] for (uint a = 0u; a < QL; ++a) {
        i[a] = q0 + gl_LocalInvocationID.x + XL_ATTENTION_GROUP * a;
        live[a] = i[a] < p.n;
        const uint qi = min(i[a], p.n - 1u);
        pi[a] = QPOS(qi);
        const float scale = query_scale[qi];
        const uint qbase = (qi * p.n_heads + h) * HV;
        XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) {
            q[a][d] = q_near[qbase + d] * scale;
            qf[a][d] = FAR != 0u ? q_far[qbase + d] * scale : vec4(0.0);
            acc[a][d] = vec4(0.0);
        }
        m[a] = NEG;
        l[a] = 0.0;
    }

    // Keys needed by this workgroup: the sinks [0, a_end) and the band [b_start, last query]
    // (of a key set: every key, masked by its index).
    const uint qend = min(q0 + XL_ATTENTION_GROUP * QL, p.n);
    uint a_end = 0u, b_start = 0u;
#ifdef KEYSET
    const uint band_end = p.keys;
#else
    if (p.window != 0u) {
        a_end = min(p.sinks, qend);
        b_start = max(a_end, q0 + 1u > p.window ? q0 + 1u - p.window : 0u);
    }
    const uint band_end = qend;
#endif
    const uint q0_pos = QPOS(min(q0, p.n - 1u));
    for (uint range = 0u; range < 2u; ++range) {
        const uint j_begin = range == 0u ? 0u : b_start;
        const uint j_end = range == 0u ? a_end : band_end;
        for (uint j0 = j_begin; j0 < j_end; j0 += BK) {
            // Interior blocks (every key before every query, no window, one branch) skip the mask.
            const bool interior = p.window == 0u && FAR == 0u && j0 + BK <= j_end && KPOS(j0 + BK - 1u) <= q0_pos;
            float s[QL][BK], bmax[QL];
            [[unroll]] for (uint a = 0u; a < QL; ++a) bmax[a] = NEG;
            [[unroll]] for (uint b = 0u; b < BK; ++b) {
                // Key j is the same for every lane: a uniform fetch (clamped; masked below).
                const uint j = j0 + b;
                const uint jc = min(j, p.keys - 1u), pj = KPOS(jc);
                const uint kb = jc * kv_stride + kvh * HV;
                vec4 kn[HV], kf[HV];
                XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) {
                    kn[d] = texelFetch(k_near, int(kb + d));
                    kf[d] = FAR != 0u ? texelFetch(k_far, int(kb + d)) : vec4(0.0);
                }
                [[unroll]] for (uint a = 0u; a < QL; ++a) {
                    float dn = 0.0, df = 0.0;
                    XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) {
                        dn += dot(q[a][d], kn[d]);
                        if (FAR != 0u) df += dot(qf[a][d], kf[d]);
                    }
                    if (interior) {
                        s[a][b] = dn - slope * float(pi[a] - pj);
                    } else {
                        const bool far_j = FAR != 0u && pi[a] >= pj + p.far_window;
                        const bool vis = live[a] && j < j_end && visible(pi[a], pj, p.window, p.sinks);
                        s[a][b] = vis ? (far_j ? df : dn) - slope * float(pi[a] - pj) : NEG;
                    }
                    bmax[a] = max(bmax[a], s[a][b]);
                }
            }
            [[unroll]] for (uint a = 0u; a < QL; ++a) {
                const float m_new = max(m[a], bmax[a]);
                const float corr = exp(m[a] - m_new);
                l[a] *= corr;
                XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) acc[a][d] *= corr;
                m[a] = m_new;
            }
            [[unroll]] for (uint b = 0u; b < BK; ++b) {
                const uint vb = min(j0 + b, p.keys - 1u) * kv_stride + kvh * HV;
                vec4 vv[HV];
                XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) vv[d] = texelFetch(v_tex, int(vb + d));
                [[unroll]] for (uint a = 0u; a < QL; ++a) {
                    const float pj = interior || s[a][b] > NEG ? exp(s[a][b] - m[a]) : 0.0;
                    l[a] += pj;
                    XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) acc[a][d] += pj * vv[d];
                }
            }
        }
    }
    [[unroll]] for (uint a = 0u; a < QL; ++a) {
        if (!live[a]) continue;
        const uint qbase = (i[a] * p.n_heads + h) * HV;
        const float inv = 1.0 / l[a];
        XL_UNROLL_HD for (uint d = 0u; d < HV; ++d) out_v[qbase + d] = acc[a][d] * inv;
        lse[i[a] * p.n_heads + h] = m[a] + log(l[a]);
    }
}
