#version 450
// LayerNorm: y = (x − mean) / sqrt(var + eps) · weight + bias (biased variance); one workgroup
// per row. Twin: xl::ref::layernorm.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#define WG 64u
#include "reduce.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer XBuf { float x[]; };
layout(std430, binding = 1) readonly buffer WBuf { float weight[]; };
layout(std430, binding = 2) readonly buffer BBuf { float bias[]; };
layout(std430, binding = 3) writeonly buffer YBuf { float y[]; };
layout(push_constant) uniform PC { Norm p; };

void main() {
    const uint t = flat_group();
    if (t >= p.n) return;
    const uint base = t * p.dim, l = gl_LocalInvocationID.x;
    float s = 0.0;
    for (uint c = l; c < p.dim; c += WG) s += x[base + c];
    const float mean = group_sum(s) / float(p.dim);
    float v = 0.0;
    for (uint c = l; c < p.dim; c += WG) v += (x[base + c] - mean) * (x[base + c] - mean);
    const float inv = inversesqrt(group_sum(v) / float(p.dim) + p.eps);
    for (uint c = l; c < p.dim; c += WG)
        y[base + c] = (x[base + c] - mean) * inv * weight[c] + (p.has_bias != 0u ? bias[c] : 0.0);
}
