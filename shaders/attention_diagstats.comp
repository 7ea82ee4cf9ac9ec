#version 450
// Per-distance attention statistics of every head of one layer, from the row log-sum-exp of
// attention.comp (p(i,j) = exp(s(i,j) − lse(i)), the score and mask of attention.comp):
//   mass(h, d) = Σ_i p(i, i − d)   (the receptive field: mean mass within distance d is
//                                   Σ_{d' ≤ d} mass(d') / n, as in core/session/attention_stats)
// and, with p.histogram, the distribution of the logits query_scale[i]·(q_i·k_j) (the ALiBi bias
// left out) per distance bucket, summed over heads: counts[bucket][bin] (common/attention_stats.h).
// One distance d per invocation, walking the diagonal: at step t every lane reads the same key
// k_t (a uniform texel gather) and its own query q_{d+t}; steps come in blocks of BT. Counts go
// to shared memory (XL_STATS_LOCAL_BUCKETS buckets cover a workgroup's 64 distances), then are
// added to the layer's histogram. Head-vector loops are unrolled (llvmpipe's 65535-iteration cap,
// see attention.comp). Twin: xl::ref::attention_stats.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "push_constants.h"
#include "attention_stats.h"

#ifndef HD
#define HD 64   // head_dim: one variant per size (attention_diagstats.variants)
#endif
#define HV (HD / 4)
layout(local_size_x = XL_STATS_GROUP) in;
layout(constant_id = 0) const uint FAR = 0u;
const uint BT = 4u;

// Texel-buffer bindings first (lavapipe mis-compiles texel buffers interleaved with storage buffers).
layout(binding = 0) uniform samplerBuffer k_near;   // RGBA32F [n][KV][HD/4]
layout(binding = 1) uniform samplerBuffer k_far;
layout(binding = 2) uniform samplerBuffer q_near;   // RGBA32F [n][H][HD/4]
layout(binding = 3) uniform samplerBuffer q_far;
layout(std430, binding = 4) readonly buffer QS { float query_scale[]; };
layout(std430, binding = 5) readonly buffer Slopes { float slopes[]; };
layout(std430, binding = 6) readonly buffer Lse { float lse[]; };
layout(std430, binding = 7) writeonly buffer Mass { float out_mass[]; };
layout(std430, binding = 8) buffer Counts { uint counts[]; };
layout(push_constant) uniform PC { AttentionStats p; };

shared uint local_counts[XL_STATS_LOCAL_BUCKETS * XL_STATS_BINS];

uint distance_bucket(uint d) { return d == 0u ? 0u : min(uint(findMSB(d)) + 1u, uint(XL_STATS_BUCKETS) - 1u); }
uint logit_bin(float s) {
    const float x = floor((s - float(XL_STATS_LOGIT_MIN)) / float(XL_STATS_BIN_WIDTH));
    return uint(clamp(x, 0.0, float(XL_STATS_BINS - 1)));
}

void main() {
    const uint h = gl_WorkGroupID.y;
    const uint kvh = h / (p.n_heads / p.n_kv_heads);
    const uint kv_stride = p.n_kv_heads * HV;
    const float slope = p.has_alibi != 0u ? slopes[h] : 0.0;
    const uint d0 = gl_WorkGroupID.x * XL_STATS_GROUP;
    const uint d = d0 + gl_LocalInvocationID.x;
    const uint b0 = distance_bucket(d0);
    const bool hist = p.histogram != 0u;
    if (hist) {
        for (uint t = gl_LocalInvocationID.x; t < XL_STATS_LOCAL_BUCKETS * XL_STATS_BINS; t += XL_STATS_GROUP)
            local_counts[t] = 0u;
        barrier();
    }
    // visible(i, i − d): always within the window; beyond it only keys j = i − d < sinks. Lane d
    // takes steps t < count (queries i = d + t); the workgroup walks the longest of its lanes.
    const bool lane = d < p.n;
    const uint count = !lane ? 0u : (p.window != 0u && d >= p.window ? min(p.n - d, p.sinks) : p.n - d);
    const uint steps = d0 >= p.n ? 0u : (p.window != 0u && d0 >= p.window ? min(p.n - d0, p.sinks) : p.n - d0);
    const bool far_d = FAR != 0u && d >= p.far_window;
    const float bias = slope * float(d);
    const uint local_bucket = lane ? (distance_bucket(d) - b0) * XL_STATS_BINS : 0u;
    float mass = 0.0;
    for (uint t0 = 0u; t0 < steps; t0 += BT) {
        [[unroll]] for (uint b = 0u; b < BT; ++b) {
            const uint t = t0 + b;
            const uint kb = min(t, p.n - 1u) * kv_stride + kvh * HV;
            const uint i = min(d + t, p.n - 1u);
            const uint qb = (i * p.n_heads + h) * HV;
            float qk = 0.0;
            if (FAR != 0u) {
                float qn = 0.0, qfar = 0.0;
                [[unroll]] for (uint e = 0u; e < HV; ++e) {
                    qn += dot(texelFetch(q_near, int(qb + e)), texelFetch(k_near, int(kb + e)));
                    qfar += dot(texelFetch(q_far, int(qb + e)), texelFetch(k_far, int(kb + e)));
                }
                qk = far_d ? qfar : qn;
            } else {
                [[unroll]] for (uint e = 0u; e < HV; ++e) qk += dot(texelFetch(q_near, int(qb + e)), texelFetch(k_near, int(kb + e)));
            }
            if (t < count) {
                const float s = query_scale[i] * qk;
                mass += exp(s - bias - lse[i * p.n_heads + h]);
                if (hist) atomicAdd(local_counts[local_bucket + logit_bin(s)], 1u);
            }
        }
    }
    if (lane) out_mass[p.mass_offset + h * p.n + d] = mass;
    if (hist) {
        barrier();
        for (uint t = gl_LocalInvocationID.x; t < XL_STATS_LOCAL_BUCKETS * XL_STATS_BINS; t += XL_STATS_GROUP) {
            const uint c = local_counts[t];
            const uint bucket = b0 + t / XL_STATS_BINS;
            if (c != 0u && bucket < XL_STATS_BUCKETS) atomicAdd(counts[p.counts_offset + bucket * XL_STATS_BINS + t % XL_STATS_BINS], c);
        }
    }
}
