#version 450
// RMSNorm (Llama): y = x / sqrt(mean(x²) + eps) · weight; one workgroup per row.
// Twin: xl::ref::rmsnorm. Variant rmsnorm_add (ADD): y += that (post-norm + residual; ref::rmsnorm_add).
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#define WG 64u
#include "reduce.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, binding = 1) readonly buffer WBuf { float weight[]; };
#ifdef ADD
layout(std430, binding = 2) buffer YBuf { float y[]; };
#else
layout(std430, binding = 2) writeonly buffer YBuf { float y[]; };
#endif
layout(push_constant) uniform PC { Norm p; };

void main() {
    const uint t = flat_group();
    if (t >= p.n) return;  // uniform per workgroup
    const uint base = t * p.dim, l = gl_LocalInvocationID.x;
    float ss = 0.0;
    for (uint c = l; c < p.dim; c += WG) ss += x[base + c] * x[base + c];
    const float inv = inversesqrt(group_sum(ss) / float(p.dim) + p.eps);
#ifdef ADD
    for (uint c = l; c < p.dim; c += WG) y[base + c] += x[base + c] * inv * weight[c];
#else
    for (uint c = l; c < p.dim; c += WG) y[base + c] = x[base + c] * inv * weight[c];
#endif
}
