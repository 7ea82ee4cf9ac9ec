#version 450
// glslc-flags: -O0
// y = W·x on cooperative matrices (VK_NV_cooperative_matrix: 16×16×16, fp16 operands, fp32
// accumulation). A workgroup computes a tile of BM tokens × BN output rows; its WM×WN subgroups
// each own (BM/WM) × (BN/WN) of it as 16×16 accumulators. Every BK-column step stages the x tile
// and the W tile (dequantised through weights.glsl, so every weight type shares this kernel) in
// shared memory; the residual stream stays fp32. Precision, measured on NVIDIA's tensor cores:
// their fp32 accumulation truncates, so over long rows the error grows with cols. Each BK step
// therefore accumulates in a fresh matrix that is then added to the fp32 total (promotion every
// BK columns), and activations are split into two fp16 terms, x = hi + lo·2⁻¹² with
// lo = fp16((x − hi)·2¹²) (scaled so that lo stays a normal fp16), costing a second product;
// weights of every type but F16 are split the same way (W_SPLIT: a third product), since their
// dequantised values (fp32, BF16's exponent range, Q8_0's d·q, Q4_K's d·sc·q − dmin·m) do not
// fit fp16 exactly. F16 weights are exact. The result leaves through a per-subgroup 16×16 scratch so
// that ragged edges and `accumulate` are plain stores.
// Same bindings and push constants as matmul.comp. Requires cols % BK == 0, x_offset % 4 == 0.
// Twin: xl::ref::matmul.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "push_constants.h"
#include "matmul_coop_tiles.h"
#define XL_W_BINDING 0
#include "weights.glsl"

#define BM XL_COOP_BM
#define BN XL_COOP_BN
#define BK XL_COOP_BK
#define WM XL_COOP_WM
#define WN XL_COOP_WN
#define TM (BM / WM / 16)   // accumulators per subgroup along tokens
#define TN (BN / WN / 16)   // ... along rows
#define THREADS (32 * WM * WN)
#define LDS (BK + 8)        // shared row pitch in halves (16-byte multiple, fewer bank conflicts)
#if !defined(W_F16)
#define W_SPLIT 1
#endif
#if defined(W_SPLIT) && defined(XL_COOP_LARGE)
#define LDO 16              // scratch pitch in floats: 4 split 128-row tiles + scratch = 48 KiB
#else
#define LDO 20              // scratch pitch in floats (16-byte multiple, fewer bank conflicts)
#endif
#define LO_SCALE 4096.0     // 2¹²: the low fp16 terms are stored scaled

layout(local_size_x = THREADS) in;
layout(binding = 1) uniform samplerBuffer x_tex;   // RGBA32F
layout(std430, binding = 2) buffer YBuf { float y[]; };
layout(push_constant) uniform PC { Matmul p; };

shared float16_t xs[BM * LDS];        // x tile [token][k], high fp16 term
shared float16_t xl[BM * LDS];        // low term: fp16((x − hi)·2¹²)
shared float16_t ws[BN * LDS];        // W tile [row][k]
#ifdef W_SPLIT
shared float16_t wl[BN * LDS];        // low term of the weights
#endif
shared float scratch[WM * WN * 16 * LDO];

// The high fp16 term of x: its fp32 mantissa cut to fp16's 10 bits (exact in fp16 for normal
// values). Done on the bits: a compiler may fold fp32→fp16→fp32 into nothing (seen on NVIDIA),
// which would zero the low term.
vec4 split_high(vec4 v) { return uintBitsToFloat(floatBitsToUint(v) & uvec4(0xFFFFE000u)); }

void stage_tiles(uint t0, uint r0, uint k0) {
    for (uint i = gl_LocalInvocationID.x; i < BM * BK / 4; i += THREADS) {
        const uint row = i / (BK / 4), c = 4u * (i % (BK / 4)), t = t0 + row;
        const vec4 v = t < p.n ? texelFetch(x_tex, int((p.x_offset + t * p.x_stride + k0 + c) >> 2u)) : vec4(0.0);
        const uint o = row * LDS + c;
        const vec4 hi = split_high(v);
        const f16vec4 h16 = f16vec4(hi), lo = f16vec4((v - hi) * LO_SCALE);
        [[unroll]] for (uint e = 0u; e < 4u; ++e) { xs[o + e] = h16[e]; xl[o + e] = lo[e]; }
    }
    for (uint i = gl_LocalInvocationID.x; i < BN * BK / 4; i += THREADS) {
        const uint row = i / (BK / 4), c = 4u * (i % (BK / 4)), r = r0 + row;
        const vec4 w = r < p.rows ? load_w4(r, k0 + c, p.w_stride) : vec4(0.0);
        const uint o = row * LDS + c;
#ifdef W_SPLIT
        const vec4 hi = split_high(w);
#else
        const vec4 hi = w;
#endif
        const f16vec4 h16 = f16vec4(hi);
        [[unroll]] for (uint e = 0u; e < 4u; ++e) ws[o + e] = h16[e];
#ifdef W_SPLIT
        const f16vec4 lo = f16vec4((w - hi) * LO_SCALE);
        [[unroll]] for (uint e = 0u; e < 4u; ++e) wl[o + e] = lo[e];
#endif
    }
}

void main() {
    const uint sg = gl_SubgroupID, lane = gl_SubgroupInvocationID;
    const uint sm = sg / WN, sn = sg % WN;
    const uint t0 = gl_WorkGroupID.x * BM, r0 = gl_WorkGroupID.y * BN;
    fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> acc[TM * TN];
    [[unroll]] for (uint i = 0u; i < TM * TN; ++i) acc[i] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);

    for (uint k0 = 0u; k0 < p.cols; k0 += BK) {
        stage_tiles(t0, r0, k0);
        barrier();
        // This step's products: low terms first (scaled back by 2⁻¹²), then the high ones.
        fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> part[TM * TN];
        [[unroll]] for (uint i = 0u; i < TM * TN; ++i) part[i] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);
        [[unroll]] for (uint kk = 0u; kk < BK; kk += 16u) {
            fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[TM], b[TN];
            [[unroll]] for (uint j = 0u; j < TN; ++j)  // B[k][n] = W[n][k]: column-major view of ws
                coopMatLoadNV(b[j], ws, ((sn * TN + j) * 16u) * LDS + kk, LDS, true);
            [[unroll]] for (uint i = 0u; i < TM; ++i) {
                coopMatLoadNV(a[i], xl, ((sm * TM + i) * 16u) * LDS + kk, LDS, false);
                [[unroll]] for (uint j = 0u; j < TN; ++j) part[i * TN + j] = coopMatMulAddNV(a[i], b[j], part[i * TN + j]);
            }
#ifdef W_SPLIT
            [[unroll]] for (uint i = 0u; i < TM; ++i) coopMatLoadNV(a[i], xs, ((sm * TM + i) * 16u) * LDS + kk, LDS, false);
            [[unroll]] for (uint j = 0u; j < TN; ++j) {
                fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> bl;
                coopMatLoadNV(bl, wl, ((sn * TN + j) * 16u) * LDS + kk, LDS, true);
                [[unroll]] for (uint i = 0u; i < TM; ++i) part[i * TN + j] = coopMatMulAddNV(a[i], bl, part[i * TN + j]);
            }
#endif
        }
        [[unroll]] for (uint i = 0u; i < TM * TN; ++i) part[i] = part[i] * float(1.0 / LO_SCALE);
        [[unroll]] for (uint kk = 0u; kk < BK; kk += 16u) {
            fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[TM], b[TN];
            [[unroll]] for (uint j = 0u; j < TN; ++j)
                coopMatLoadNV(b[j], ws, ((sn * TN + j) * 16u) * LDS + kk, LDS, true);
            [[unroll]] for (uint i = 0u; i < TM; ++i) {
                coopMatLoadNV(a[i], xs, ((sm * TM + i) * 16u) * LDS + kk, LDS, false);
                [[unroll]] for (uint j = 0u; j < TN; ++j) part[i * TN + j] = coopMatMulAddNV(a[i], b[j], part[i * TN + j]);
            }
        }
        [[unroll]] for (uint i = 0u; i < TM * TN; ++i) acc[i] = acc[i] + part[i];  // fp32 adds, no truncation
        barrier();
    }

    const uint base = sg * 16u * LDO;
    [[unroll]] for (uint i = 0u; i < TM; ++i) {
        [[unroll]] for (uint j = 0u; j < TN; ++j) {
            coopMatStoreNV(acc[i * TN + j], scratch, base, LDO, false);
            subgroupMemoryBarrierShared();
            subgroupBarrier();
            const uint tt = t0 + (sm * TM + i) * 16u, rr = r0 + (sn * TN + j) * 16u;
            for (uint e = lane; e < 256u; e += 32u) {
                const uint t = tt + e / 16u, r = rr + e % 16u;
                if (t < p.n && r < p.rows) {
                    const uint o = p.y_offset + t * p.y_stride + r;
                    y[o] = (p.accumulate != 0u ? y[o] : 0.0) + scratch[base + (e / 16u) * LDO + e % 16u];
                }
            }
            subgroupBarrier();
        }
    }
}
