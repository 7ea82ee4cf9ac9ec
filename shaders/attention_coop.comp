#version 450
// glslc-flags: -O0
// Flash attention on cooperative matrices (VK_NV_cooperative_matrix, fp16 16×16×16, fp32
// accumulation): the twin of attention.comp (same bindings, push constants, FAR constant and key
// ranges), for the head sizes of attention_coop.variants. Dao et al. 2022 (FlashAttention), Alg. 1:
// per block of BKV keys, S = Q·Kᵀ in tiles, online softmax m' = max(m, rowmax S),
// l' = l·e^(m−m') + Σ e^(S−m'), O' = O·e^(m−m') + P·V. Each subgroup owns 16 queries; S and P·V
// leave the tensor cores through per-subgroup shared scratch, where the masks, the far branch,
// ALiBi and the softmax are applied in fp32 (two lanes per query row), and O stays in fp32
// registers. The running max starts at −FLT_MAX/2 and masked scores are −FLT_MAX with weight 0,
// so a row whose block is fully masked adds nothing (no inf − inf). query_scale (log-n,
// temperature, 1/√d) is applied to q in fp32 before the fp16 conversion; xPos and both position
// branches arrive in q/k as in the scalar kernel.
// Precision (defines): SPLIT_QK splits q and k into two fp16 terms x = hi + lo·2⁻¹² (as
// matmul_coop.comp) for three products; SPLIT_PV does the same for P and V. Without them the
// operands are plain fp16 (round to nearest). FUSED (heads ≤ 64, both splits): K and V of a block are staged
// together in their own arrays, and the next block's are fetched into registers while this one
// is computed (two workgroup barriers per block instead of four).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "push_constants.h"
#include "attention_mask.glsl"
#include "attention_coop_tiles.h"

#ifndef HD
#define HD 64
#endif
#define HV (HD / 4)                        // vec4s per head vector in memory
#define HDP XL_ATTN_COOP_HDP(HD)           // padded head
#define HT (HDP / 16)                      // 16-wide tiles along the head
#define SG XL_ATTN_COOP_SUBGROUPS(HD)
#define BQ (16 * SG)                       // queries per workgroup
#define BKV XL_ATTN_COOP_BKV               // keys per block
#define LDK (HDP + 8)                      // staged row pitch in halves
#define LDC ((2 * BKV > HDP ? 2 * BKV : HDP) + 4)  // scratch pitch in floats: S near|far, then P·V
#define LDP (BKV + 8)                      // P pitch in halves
#define LO_SCALE 4096.0
#if defined(SPLIT_QK) || defined(SPLIT_PV)
#define HAS_LO 1
#endif
#define MAT16 fcoopmatNV<16, gl_ScopeSubgroup, 16, 16>
#define MAT32 fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>

layout(local_size_x = 32 * SG) in;
layout(constant_id = 0) const uint FAR = 0u;   // 1: plan.far.enabled
const float NEG_INIT = -1.70141173e38;          // −FLT_MAX/2: the running max before any key
const float MASKED = -3.40282347e38;            // −FLT_MAX: a masked score

layout(binding = 0) uniform samplerBuffer k_near;   // RGBA32F [n][KV][HD/4]
layout(binding = 1) uniform samplerBuffer k_far;
layout(binding = 2) uniform samplerBuffer v_tex;
layout(std430, binding = 3) readonly buffer QN { vec4 q_near[]; };
layout(std430, binding = 4) readonly buffer QF { vec4 q_far[]; };
layout(std430, binding = 5) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 6) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 7) writeonly buffer Out { vec4 out_v[]; };
layout(std430, binding = 8) writeonly buffer Lse { float lse[]; };
layout(push_constant) uniform PC { Attention p; };

shared float16_t th[BKV * LDK];    // BKV staged rows [row][d] (a Q chunk, a K or a V block), high term
#ifdef HAS_LO
shared float16_t tl[BKV * LDK];    // low term fp16((x − hi)·2¹²)
#endif
#ifdef FUSED
shared float16_t vh[BKV * LDK];    // the V block, high and low terms (th/tl hold K)
shared float16_t vl[BKV * LDK];
#define V_HI vh
#define V_LO vl
#else
#define V_HI th
#define V_LO tl
#endif
shared float sc[SG * 16 * LDC];    // per subgroup: S [16][near BKV | far BKV], then P·V [16][HDP]
shared float16_t ps[SG * 16 * LDP];
#ifdef SPLIT_PV
shared float16_t pl[SG * 16 * LDP];
#endif

uint g_head, g_kvh;

// The high fp16 term: mantissa cut to 10 bits on the bits (see matmul_coop.comp).
vec4 split_high(vec4 v) { return uintBitsToFloat(floatBitsToUint(v) & uvec4(0xFFFFE000u)); }

// Row t (clamped to n − 1), vec4 d4 of a source: 0 q_near·scale, 1 q_far·scale, 2 k_near, 3 k_far, 4 v.
vec4 fetch(uint src, uint t, uint d4) {
    if (src <= 1u) {
        const uint qb = (t * p.n_heads + g_head) * HV + d4;
        return (src == 0u ? q_near[qb] : q_far[qb]) * query_scale[t];
    }
    const int kb = int((t * p.n_kv_heads + g_kvh) * HV + d4);
    return src == 2u ? texelFetch(k_near, kb) : src == 3u ? texelFetch(k_far, kb) : texelFetch(v_tex, kb);
}

// Stages BKV rows from r0 into th (and tl when split), zero-padded to HDP.
void stage(uint src, uint r0, bool split) {
    for (uint e = gl_LocalInvocationID.x; e < BKV * (HDP / 4); e += 32u * SG) {
        const uint row = e / (HDP / 4), d4 = e % (HDP / 4);
        const vec4 v = d4 < HV ? fetch(src, min(r0 + row, p.n - 1u), d4) : vec4(0.0);
        const uint o = row * LDK + 4u * d4;
        const vec4 hi = split ? split_high(v) : v;
        const f16vec4 h16 = f16vec4(hi);
        [[unroll]] for (uint c = 0u; c < 4u; ++c) th[o + c] = h16[c];
#ifdef HAS_LO
        const f16vec4 lo = f16vec4(split ? (v - hi) * LO_SCALE : vec4(0.0));
        [[unroll]] for (uint c = 0u; c < 4u; ++c) tl[o + c] = lo[c];
#endif
    }
}

#ifdef FUSED
#define NPT (BKV * (HDP / 4) / (32 * SG))   // vec4s of K (and of V) per invocation and block
vec4 rk[NPT], rv[NPT];                     // the next block, in flight

void fetch_kv(uint j0) {
    [[unroll]] for (uint a = 0u; a < NPT; ++a) {
        const uint e = gl_LocalInvocationID.x + a * 32u * SG, row = e / (HDP / 4), d4 = e % (HDP / 4);
        const uint t = min(j0 + row, p.n - 1u);
        rk[a] = d4 < HV ? fetch(2u, t, d4) : vec4(0.0);
        rv[a] = d4 < HV ? fetch(4u, t, d4) : vec4(0.0);
    }
}

void store_kv() {
    [[unroll]] for (uint a = 0u; a < NPT; ++a) {
        const uint e = gl_LocalInvocationID.x + a * 32u * SG, o = (e / (HDP / 4)) * LDK + 4u * (e % (HDP / 4));
        const vec4 kh = split_high(rk[a]), vhi = split_high(rv[a]);
        const f16vec4 k16 = f16vec4(kh), kl16 = f16vec4((rk[a] - kh) * LO_SCALE);
        const f16vec4 v16 = f16vec4(vhi), vl16 = f16vec4((rv[a] - vhi) * LO_SCALE);
        [[unroll]] for (uint c = 0u; c < 4u; ++c) {
            th[o + c] = k16[c];
            tl[o + c] = kl16[c];
            vh[o + c] = v16[c];
            vl[o + c] = vl16[c];
        }
    }
}
#endif

#ifdef SPLIT_QK
#define QK_SPLIT true
#else
#define QK_SPLIT false
#endif
#ifdef SPLIT_PV
#define PV_SPLIT true
#else
#define PV_SPLIT false
#endif

// S = Q·Kᵀ of the staged K block into scratch columns COL.. (B[d][key] = K[key][d]: a
// column-major view of th). Low products first, scaled back by 2⁻¹², then the high one.
#ifdef SPLIT_QK
#define QK_LOW(QH, QL)                                                                   \
    [[unroll]] for (uint t = 0u; t < HT; ++t) {                                          \
        [[unroll]] for (uint kb = 0u; kb < BKV / 16u; ++kb) {                            \
            MAT16 b, bl;                                                                 \
            coopMatLoadNV(b, th, kb * 16u * LDK + t * 16u, LDK, true);                   \
            coopMatLoadNV(bl, tl, kb * 16u * LDK + t * 16u, LDK, true);                  \
            s[kb] = coopMatMulAddNV(QL[t], b, s[kb]);                                    \
            s[kb] = coopMatMulAddNV(QH[t], bl, s[kb]);                                   \
        }                                                                                \
    }                                                                                    \
    [[unroll]] for (uint kb = 0u; kb < BKV / 16u; ++kb) s[kb] = s[kb] * float(1.0 / LO_SCALE);
#else
#define QK_LOW(QH, QL)
#endif
#define SCORES(QH, QL, COL)                                                              \
    {                                                                                    \
        MAT32 s[BKV / 16];                                                               \
        [[unroll]] for (uint kb = 0u; kb < BKV / 16u; ++kb) s[kb] = MAT32(0.0);          \
        QK_LOW(QH, QL)                                                                   \
        [[unroll]] for (uint t = 0u; t < HT; ++t) {                                      \
            [[unroll]] for (uint kb = 0u; kb < BKV / 16u; ++kb) {                        \
                MAT16 b;                                                                 \
                coopMatLoadNV(b, th, kb * 16u * LDK + t * 16u, LDK, true);               \
                s[kb] = coopMatMulAddNV(QH[t], b, s[kb]);                                \
            }                                                                            \
        }                                                                                \
        [[unroll]] for (uint kb = 0u; kb < BKV / 16u; ++kb)                              \
            coopMatStoreNV(s[kb], sc, sbase + (COL) + kb * 16u, LDC, false);             \
    }

void main() {
    const uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
    g_head = gl_WorkGroupID.y;
    g_kvh = g_head / (p.n_heads / p.n_kv_heads);
    const float slope = p.has_alibi != 0u ? slopes[g_head] : 0.0;
    const uint q0 = (gl_WorkGroupID.x + p.first_group) * BQ;
    const uint sbase = sg * 16u * LDC, pbase = sg * 16u * LDP;
    // This lane's softmax row and half of the keys (or of the head for O).
    const uint row = lane >> 1u, half_ = lane & 1u;
    const uint i = q0 + sg * 16u + row;
    const bool live = i < p.n;

    // Q (pre-multiplied by query_scale) into fp16 matrices, BKV rows per staging round.
    MAT16 qh[HT], ql[HT], qfh[HT], qfl[HT];
    for (uint r = 0u; r < BQ / BKV; ++r) {
        for (uint br = 0u; br < (FAR != 0u ? 2u : 1u); ++br) {
            stage(br, q0 + r * BKV, QK_SPLIT);
            barrier();
            if (sg / (BKV / 16u) == r) {
                const uint off = (sg % (BKV / 16u)) * 16u * LDK;
                [[unroll]] for (uint t = 0u; t < HT; ++t) {
                    if (br == 0u) {
                        coopMatLoadNV(qh[t], th, off + t * 16u, LDK, false);
#ifdef SPLIT_QK
                        coopMatLoadNV(ql[t], tl, off + t * 16u, LDK, false);
#endif
                    } else {
                        coopMatLoadNV(qfh[t], th, off + t * 16u, LDK, false);
#ifdef SPLIT_QK
                        coopMatLoadNV(qfl[t], tl, off + t * 16u, LDK, false);
#endif
                    }
                }
            }
            barrier();
        }
    }

    float o[HDP / 2];
    [[unroll]] for (uint c = 0u; c < HDP / 2u; ++c) o[c] = 0.0;
    float m = NEG_INIT, l = 0.0;

    // Keys needed by this workgroup (as attention.comp): the sinks [0, a_end) and the band [b_start, qend).
    const uint qend = min(q0 + BQ, p.n);
    uint a_end = 0u, b_start = 0u;
    if (p.window != 0u) {
        a_end = min(p.sinks, qend);
        b_start = max(a_end, q0 + 1u > p.window ? q0 + 1u - p.window : 0u);
    }
    for (uint range = 0u; range < 2u; ++range) {
        const uint j_begin = range == 0u ? 0u : b_start;
        const uint j_end = range == 0u ? a_end : qend;
#ifdef FUSED
        if (j_begin < j_end) fetch_kv(j_begin);
#endif
        for (uint j0 = j_begin; j0 < j_end; j0 += BKV) {
            barrier();   // the previous block's K and V are no longer read
#ifdef FUSED
            store_kv();
            barrier();
            if (j0 + BKV < j_end) fetch_kv(j0 + BKV);
#else
            stage(2u, j0, QK_SPLIT);
            barrier();
#endif
            SCORES(qh, ql, 0u)
            if (FAR != 0u) {
                barrier();
                stage(3u, j0, QK_SPLIT);
                barrier();
                SCORES(qfh, qfl, BKV)
            }
            subgroupMemoryBarrierShared();
            subgroupBarrier();

            // Masks, branch choice, ALiBi, online softmax: this lane's BKV/2 keys of its row.
            float s[BKV / 2];
            float bmax = MASKED;
            [[unroll]] for (uint b = 0u; b < BKV / 2u; ++b) {
                const uint kc = half_ * (BKV / 2u) + b, j = j0 + kc;
                const bool vis = live && j < j_end && visible(i, j, p.window, p.sinks);
                const bool far_j = FAR != 0u && i >= j + p.far_window;
                const float dn = sc[sbase + row * LDC + kc];
                const float df = FAR != 0u ? sc[sbase + row * LDC + BKV + kc] : 0.0;
                s[b] = vis ? (far_j ? df : dn) - slope * float(i - j) : MASKED;
                bmax = max(bmax, s[b]);
            }
            bmax = max(bmax, subgroupShuffleXor(bmax, 1u));
            const float m_new = max(m, bmax);
            const float corr = exp(m - m_new);
            m = m_new;
            float sum = 0.0;
            [[unroll]] for (uint b = 0u; b < BKV / 2u; ++b) {
                const uint o_p = pbase + row * LDP + half_ * (BKV / 2u) + b;
                const float pj = s[b] > MASKED ? exp(s[b] - m) : 0.0;
#ifdef SPLIT_PV
                const float hi = uintBitsToFloat(floatBitsToUint(pj) & 0xFFFFE000u);
                ps[o_p] = float16_t(hi);
                pl[o_p] = float16_t((pj - hi) * LO_SCALE);
                sum += pj;
#else
                const float16_t p16 = float16_t(pj);
                ps[o_p] = p16;
                sum += float(p16);   // normalise by the weights the product uses
#endif
            }
            sum += subgroupShuffleXor(sum, 1u);
            l = l * corr + sum;

            // P·V in a fresh accumulator (fp32 adds across blocks, no tensor-core truncation).
#ifdef FUSED
            subgroupMemoryBarrierShared();
            subgroupBarrier();
#else
            barrier();   // every subgroup is done with the K block
            stage(4u, j0, PV_SPLIT);
            barrier();
#endif
            MAT32 pv[HT];
            [[unroll]] for (uint t = 0u; t < HT; ++t) pv[t] = MAT32(0.0);
#ifdef SPLIT_PV
            [[unroll]] for (uint kk = 0u; kk < BKV / 16u; ++kk) {
                MAT16 a, al;
                coopMatLoadNV(a, ps, pbase + kk * 16u, LDP, false);
                coopMatLoadNV(al, pl, pbase + kk * 16u, LDP, false);
                [[unroll]] for (uint t = 0u; t < HT; ++t) {
                    MAT16 b, bl;
                    coopMatLoadNV(b, V_HI, kk * 16u * LDK + t * 16u, LDK, false);
                    coopMatLoadNV(bl, V_LO, kk * 16u * LDK + t * 16u, LDK, false);
                    pv[t] = coopMatMulAddNV(al, b, pv[t]);
                    pv[t] = coopMatMulAddNV(a, bl, pv[t]);
                }
            }
            [[unroll]] for (uint t = 0u; t < HT; ++t) pv[t] = pv[t] * float(1.0 / LO_SCALE);
#endif
            [[unroll]] for (uint kk = 0u; kk < BKV / 16u; ++kk) {
                MAT16 a;
                coopMatLoadNV(a, ps, pbase + kk * 16u, LDP, false);
                [[unroll]] for (uint t = 0u; t < HT; ++t) {
                    MAT16 b;
                    coopMatLoadNV(b, V_HI, kk * 16u * LDK + t * 16u, LDK, false);
                    pv[t] = coopMatMulAddNV(a, b, pv[t]);
                }
            }
            [[unroll]] for (uint t = 0u; t < HT; ++t) coopMatStoreNV(pv[t], sc, sbase + t * 16u, LDC, false);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            [[unroll]] for (uint c = 0u; c < HDP / 2u; ++c)
                o[c] = o[c] * corr + sc[sbase + row * LDC + half_ * (HDP / 2u) + c];
        }
    }

    if (!live) return;
    const float inv = l > 0.0 ? 1.0 / l : 0.0;
    const uint obase = (i * p.n_heads + g_head) * HV;
    [[unroll]] for (uint c = 0u; c < HDP / 2u; c += 4u) {
        const uint col = half_ * (HDP / 2u) + c;
        if (col < HD) out_v[obase + col / 4u] = vec4(o[c], o[c + 1u], o[c + 2u], o[c + 3u]) * inv;
    }
    if (half_ == 0u) lse[i * p.n_heads + g_head] = m + log(l);
}
