// Weight storage on the GPU and its dequantisation (the GPU twin of xl::dequantize_row).
// Define one of W_F32 (default), W_F16, W_Q8_0 and the bindings XL_W_BINDING / XL_W_SCALE_BINDING.
//   F32:  float words, row stride `stride` floats.
//   F16:  u32 words holding two IEEE halves (low half = even column), row stride in words (even).
//   Q8_0: u32 words of four int8 (little-endian, low byte = first column), row stride in words;
//         one float scale per block of 32 columns in w_scale[r * cols/32 + c/32] (ggml block_q8_0,
//         repacked at upload so that every load is 32-bit aligned).
#if !defined(W_F16) && !defined(W_Q8_0) && !defined(W_F32)
#define W_F32
#endif

// Read through uniform texel buffers (vectorised gathers on CPU drivers, the texture path on GPUs).
#if defined(W_F32)
layout(binding = XL_W_BINDING) uniform samplerBuffer w_tex;    // RGBA32F: 4 weights per texel
#elif defined(W_F16)
layout(binding = XL_W_BINDING) uniform usamplerBuffer w_tex;   // RG32UI: 4 halves per texel
#else
layout(binding = XL_W_BINDING) uniform usamplerBuffer w_tex;   // R32UI: 4 int8 per texel
#endif
layout(binding = XL_W_SCALE_BINDING) uniform samplerBuffer w_scale_tex;  // R32F (Q8_0 only)

float q8_byte(uint word, uint k) { return float(int(word << (24u - 8u * k)) >> 24); }

// Four consecutive weights W[r][c..c+3]; c and the row stride (in elements) are multiples of 4.
vec4 load_w4(uint r, uint c, uint stride, uint cols) {
#if defined(W_F32)
    return texelFetch(w_tex, int((r * stride + c) >> 2u));
#elif defined(W_F16)
    const uvec2 h = texelFetch(w_tex, int((r * stride + (c >> 1u)) >> 1u)).xy;
    return vec4(unpackHalf2x16(h.x), unpackHalf2x16(h.y));
#else
    const uint word = texelFetch(w_tex, int(r * stride + (c >> 2u))).x;
    const float d = texelFetch(w_scale_tex, int(r * (cols >> 5u) + (c >> 5u))).x;
    return d * vec4(q8_byte(word, 0u), q8_byte(word, 1u), q8_byte(word, 2u), q8_byte(word, 3u));
#endif
}

// One weight W[r][c].
float load_w1(uint r, uint c, uint stride, uint cols) {
#if defined(W_F32)
    const uint e = r * stride + c;
    return texelFetch(w_tex, int(e >> 2u))[e & 3u];
#elif defined(W_F16)
    const uint word = r * stride + (c >> 1u);
    const vec2 h = unpackHalf2x16(texelFetch(w_tex, int(word >> 1u))[word & 1u]);
    return (c & 1u) == 0u ? h.x : h.y;
#else
    const uint word = texelFetch(w_tex, int(r * stride + (c >> 2u))).x;
    return texelFetch(w_scale_tex, int(r * (cols >> 5u) + (c >> 5u))).x * q8_byte(word, c & 3u);
#endif
}
