#version 450
// out = gelu_tanh(gate) · up (GeGLU, Gemma). Twin: xl::ref::geglu.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#include "activations.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Gate { float gate[]; };
layout(std430, binding = 1) readonly buffer Up { float up[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_v[]; };
layout(push_constant) uniform PC { Elementwise p; };

void main() {
    const uint i = flat_group() * 256u + gl_LocalInvocationID.x;
    if (i < p.count) out_v[i] = gelu_tanh(gate[i]) * up[i];
}
