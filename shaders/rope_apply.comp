#version 450
// Rotate the pairs of one [head_dim] row per invocation: out = RoPE(in, positions[t]) with the
// plan's inverse frequencies, pair layout and mscale (position-methods.md §1), and the xPos
// magnitude when p.xpos_rate ≠ 0 (§14); dims beyond 2·pairs are copied. Out of place, so one projection feeds both the near and far branch.
// Twin: xl::ref::rope_apply.
#extension GL_GOOGLE_include_directive : require
#include "push_constants.h"
#include "grid.glsl"
#include "rope.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer Pos { float positions[]; };
layout(std430, binding = 2) readonly buffer Freq { float inv_freq[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(std430, binding = 4) readonly buffer Zeta { float log2_zeta[]; };  // xPos log2 ζ_j
layout(push_constant) uniform PC { Rope p; };

void main() {
    const uint row = flat_group() * 64u + gl_LocalInvocationID.x;  // t * heads + h
    if (row >= p.n * p.heads) return;
    const uint t = row / p.heads, base = row * p.head_dim;
    const float pos = positions[t];
    for (uint j = 0u; j < p.pairs; ++j) {
        const uint a = p.neox != 0u ? j : 2u * j;
        const uint b = p.neox != 0u ? j + p.pairs : 2u * j + 1u;
        float mag = p.mscale;
        if (p.xpos_rate != 0.0) mag *= xpos_magnitude(log2_zeta[j], pos, p.xpos_centre, p.xpos_rate);
        const vec2 cs = rope_cos_sin(pos, inv_freq[j]) * mag;
        const float xa = x[base + a], xb = x[base + b];
        y[base + a] = xa * cs.x - xb * cs.y;
        y[base + b] = xa * cs.y + xb * cs.x;
    }
    for (uint d = 2u * p.pairs; d < p.head_dim; ++d) y[base + d] = x[base + d];
}
