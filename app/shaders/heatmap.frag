#version 450
// Heatmap cells as stored (nearest sampling): colour-mapped RGBA, alpha 0 where masked.
layout(set = 0, binding = 0) uniform sampler2D cells;
layout(location = 0) in vec2 uv;
layout(location = 0) out vec4 colour;

void main() { colour = texture(cells, uv); }
