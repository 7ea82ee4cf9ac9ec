#version 450
// y = y · scale + bias[i mod width] (projection biases, embedding scale). Twin: xl::ref::affine.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform PC { Affine p; };

void main() {
    const uint i = flat_group() * 256u + gl_LocalInvocationID.x;
    if (i >= p.count) return;
    y[i] = y[i] * p.scale + (p.has_bias != 0u ? bias[i % p.width] : 0.0);
}
