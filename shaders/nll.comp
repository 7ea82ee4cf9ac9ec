#version 450
// Per-token negative log-likelihood: logsumexp(logits[t]) − logits[t][target]; one workgroup
// per token. Twin: xl::ref::nll.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#define WG 64u
#include "reduce.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) readonly buffer Targets { int targets[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_nll[]; };
layout(push_constant) uniform PC { Nll p; };

void main() {
    const uint t = flat_group();
    if (t >= p.n) return;
    const uint base = t * p.vocab, l = gl_LocalInvocationID.x;
    float m = -3.0e38;
    for (uint c = l; c < p.vocab; c += WG) m = max(m, logits[base + c]);
    m = group_max(m);
    float s = 0.0;
    for (uint c = l; c < p.vocab; c += WG) s += exp(logits[base + c] - m);
    s = group_sum(s);
    if (l == 0u) out_nll[p.out_offset + t] = m + log(s) - logits[base + uint(targets[p.target_offset + t])];
}
