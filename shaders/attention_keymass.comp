#version 450
// Attention mass each key of an explicit key set receives (the KV-cache eviction policies:
// H2O's accumulated attention, SnapKV's observation-window votes), without a probability map:
//   out[out_offset + j] (+)= Σ_h Σ_{t = first_query}^{end_query−1} exp(score(t, j, h) − lse(t, h)),
// score as in attention.comp's KEYSET variant (plan indices query_index[t] and key_index[j] for
// the mask, branch and ALiBi distance; query_scale per query row) and lse written by it.
// One invocation per key, its key vectors in registers (one kv head at a time), the queries
// streamed: every lane reads the same query, a uniform texel fetch (the mirror of attention.comp,
// which keeps queries in registers and streams keys). GpuOps::attention_key_mass splits long
// query ranges over several dispatches that accumulate, so that heads × queries per invocation
// stay under llvmpipe's loop cap (see attention.comp). Twin: xl::ref::add_key_mass over the
// probabilities of xl::ref::attention_keyset.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "grid.glsl"
#include "attention_mask.glsl"

layout(local_size_x = 64) in;
#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_keymass.variants)
#endif
#define HV (HD / 4)
layout(constant_id = 0) const uint FAR = 0u;

// Texel-buffer bindings come first (lavapipe mis-compiles texel buffers interleaved with storage buffers).
layout(binding = 0) uniform samplerBuffer k_near;   // RGBA32F [keys][KV][HD/4]
layout(binding = 1) uniform samplerBuffer k_far;
layout(binding = 2) uniform samplerBuffer q_near;   // RGBA32F [n][H][HD/4]
layout(binding = 3) uniform samplerBuffer q_far;
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) readonly buffer QI { uint query_index[]; };
layout(std430, binding = 8) readonly buffer KI { uint key_index[]; };
layout(std430, binding = 9) buffer Out { float mass[]; };
layout(push_constant) uniform PC { AttentionKeyMass p; };

void main() {
    const uint j = flat_group() * 64u + gl_LocalInvocationID.x;
    if (j >= p.keys) return;
    const uint pj = key_index[j];
    const uint group = p.n_heads / p.n_kv_heads;
    const uint t_end = min(p.end_query, p.n);
    float sum = 0.0;
    vec4 kn[HV], kf[HV];
    for (uint h = 0u; h < p.n_heads; ++h) {
        if (h % group == 0u) {  // this lane's key of the next kv head
            const uint kb = (j * p.n_kv_heads + h / group) * HV;
            [[unroll]] for (uint d = 0u; d < HV; ++d) {
                kn[d] = texelFetch(k_near, int(kb + d));
                kf[d] = FAR != 0u ? texelFetch(k_far, int(kb + d)) : vec4(0.0);
            }
        }
        const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
        for (uint t = p.first_query; t < t_end; ++t) {
            const uint pi = query_index[t];
            if (!visible(pi, pj, p.window, p.sinks)) continue;
            const bool far_j = FAR != 0u && pi - pj >= p.far_window;
            const uint qb = (t * p.n_heads + h) * HV;
            float dot_qk = 0.0;
            if (far_j) {
                [[unroll]] for (uint d = 0u; d < HV; ++d) dot_qk += dot(texelFetch(q_far, int(qb + d)), kf[d]);
            } else {
                [[unroll]] for (uint d = 0u; d < HV; ++d) dot_qk += dot(texelFetch(q_near, int(qb + d)), kn[d]);
            }
            sum += exp(query_scale[t] * dot_qk - slope * float(pi - pj) - lse[t * p.n_heads + h]);
        }
    }
    const uint at = p.out_offset + j;
    mass[at] = (p.accumulate != 0u ? mass[at] : 0.0) + sum;
}
