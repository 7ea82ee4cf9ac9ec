#version 450
// y += x (residual). Twin: xl::ref::add_inplace.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(push_constant) uniform PC { Elementwise p; };

void main() {
    const uint i = flat_group() * 256u + gl_LocalInvocationID.x;
    if (i < p.count) y[i] += x[i];
}
