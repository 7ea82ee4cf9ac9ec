#version 450
// out[t][c] = table[tokens[t]][c], dequantised. Twin: xl::ref::embedding.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#define XL_W_BINDING 0
#include "weights.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 1) readonly buffer Tokens { int tokens[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_x[]; };
layout(push_constant) uniform PC { Embedding p; };

void main() {
    const uint i = flat_group() * 256u + gl_LocalInvocationID.x;
    if (i >= p.n * p.dim) return;
    const uint t = i / p.dim, c = i - t * p.dim;
    out_x[i] = load_w1(uint(tokens[t]), c, p.w_stride);
}
