#version 450
// y = W·x, register-blocked: each invocation computes TT tokens (lane-varying) × RB rows
// (uniform across the workgroup), reading 4 columns per step through texel views. One step costs
// TT + RB texel fetches for 4·TT·RB multiply-adds. (CPU drivers: fetches are gathers and
// subgroup broadcasts are slow, so the blocking is all in registers.) TT and LT (token lanes; the
// workgroup's other GROUP/LT lanes take further row groups) are specialization constants chosen
// from the token count (GpuOps::matmul_tiling): a short input — a classifier chunk, a preview —
// does not pay for a 512-token tile, and keeps 8 tokens per lane down to 64 tokens.
// Requires cols % 4 == 0 (and a multiple of the weight block) and x_offset % 4 == 0. Twin: xl::ref::matmul.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "matmul_tiles.h"
#include "push_constants.h"
#define XL_W_BINDING 0
#include "weights.glsl"

layout(local_size_x = XL_MATMUL_GROUP) in;
layout(constant_id = 0) const uint TT = XL_MATMUL_TOKENS_PER_LANE;   // tokens per invocation, at t0 + LT·q
layout(constant_id = 1) const uint LT = XL_MATMUL_GROUP;             // token lanes per workgroup
#define RB uint(XL_MATMUL_ROWS)              // rows per row group

// Texel bindings first (lavapipe mis-compiles texel buffers interleaved with storage buffers).
layout(binding = 1) uniform samplerBuffer x_tex;   // RGBA32F
layout(std430, binding = 2) buffer YBuf { float y[]; };
layout(std430, binding = 2) buffer YBuf4 { vec4 y4[]; };
layout(push_constant) uniform PC { Matmul p; };

void main() {
    const uint lane = gl_LocalInvocationID.x % LT, group = gl_LocalInvocationID.x / LT;
    const uint t0 = gl_WorkGroupID.x * LT * TT + lane;  // tokens t0 + LT·q
    const uint r0 = (gl_WorkGroupID.y * (XL_MATMUL_GROUP / LT) + group) * RB;
    uint xrow[TT];
    [[unroll]] for (uint q = 0u; q < TT; ++q) xrow[q] = (p.x_offset + min(t0 + LT * q, p.n - 1u) * p.x_stride) >> 2u;
    uint wrow[RB];
    [[unroll]] for (uint k = 0u; k < RB; ++k) wrow[k] = min(r0 + k, p.rows - 1u);
    float acc[TT * RB];
    [[unroll]] for (uint k = 0u; k < TT * RB; ++k) acc[k] = 0.0;

    // Each row's sub-block state (scales, weights.glsl) is read once per XL_W_SUB columns. One
    // loop with a dynamic trip count, as the plain version: lavapipe compiles it quickly.
    WSub h[RB];
    for (uint c = 0u; c < p.cols; c += 4u) {
        if ((c & (XL_W_SUB - 1u)) == 0u) {
            [[unroll]] for (uint k = 0u; k < RB; ++k) h[k] = w_sub(wrow[k], c / XL_W_SUB, p.w_stride);
        }
        vec4 xv[TT];
        [[unroll]] for (uint q = 0u; q < TT; ++q) xv[q] = texelFetch(x_tex, int(xrow[q] + (c >> 2u)));
        [[unroll]] for (uint k = 0u; k < RB; ++k) {
            const vec4 w = w_sub4(h[k], c);
            [[unroll]] for (uint q = 0u; q < TT; ++q) acc[q * RB + k] += dot(w, xv[q]);
        }
    }
    const bool vec_store = ((p.y_offset | p.y_stride) & 3u) == 0u;
    [[unroll]] for (uint q = 0u; q < TT; ++q) {
        const uint t = t0 + LT * q;
        if (t >= p.n || r0 >= p.rows) break;
        const uint ybase = p.y_offset + t * p.y_stride + r0;
        [[unroll]] for (uint k = 0u; k < RB; k += 4u) {
            const uint a = q * RB + k;
            if (vec_store && r0 + k + 4u <= p.rows) {
                const vec4 v = vec4(acc[a], acc[a + 1u], acc[a + 2u], acc[a + 3u]);
                const uint o = (ybase + k) >> 2u;
                y4[o] = p.accumulate != 0u ? y4[o] + v : v;
            } else {
                [[unroll]] for (uint e = 0u; e < 4u; ++e) {
                    if (r0 + k + e < p.rows) {
                        const uint o = ybase + k + e;
                        y[o] = (p.accumulate != 0u ? y[o] : 0.0) + acc[a + e];
                    }
                }
            }
        }
    }
}
