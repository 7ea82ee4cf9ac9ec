#version 450
// out = silu(x) (plain SiLU MLP). Twin: xl::ref::silu.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#include "activations.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_v[]; };
layout(push_constant) uniform PC { Elementwise p; };

void main() {
    const uint i = flat_group() * 256u + gl_LocalInvocationID.x;
    if (i < p.count) out_v[i] = silu(x[i]);
}
