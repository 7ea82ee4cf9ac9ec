// Weight storage on the GPU and its dequantisation where it is read (the GPU twin of
// xl::dequantize_row). A shader defines XL_W_BINDING and one W_<TYPE> (W_F32 by default; the
// variants of matmul.variants / embedding.variants), then includes this file. Layouts
// (core/model/tensor_types.cpp, core/forward/gpu_tensor.cpp):
//   F32        RGBA32F texels; row stride in floats (a multiple of 4).
//   F16, BF16  RG32UI texels of four 16-bit values (low half = even column); stride in u32 words.
//   blocks     R32UI words: the file's ggml blocks, each padded to XL_W_BLOCK_WORDS whole words;
//              block b of row r starts at word r·stride + b·XL_W_BLOCK_WORDS.
// Interface (what matmul, embedding and later tiled kernels call):
//   XL_W_SUB                       columns per sub-block: scales are constant inside one (≥ 4)
//   WSub w_sub(r, s, stride)       the state kept while reading sub-block s (columns s·XL_W_SUB..)
//   vec4 w_sub4(h, c)              W[r][c..c+3] for c % 4 == 0 inside h's sub-block
//   vec4 load_w4(r, c, stride), float load_w1(r, c, stride)   one-shot reads
// Arithmetic follows the CPU twins in the same order, `precise` so that no multiply-add is fused.
#if defined(W_F16) || defined(W_BF16)
#define XL_W_HALF4
#elif defined(W_Q4_0) || defined(W_Q4_1) || defined(W_Q5_0) || defined(W_Q5_1) || defined(W_Q8_0) || defined(W_IQ4_NL)
#define XL_W_LEGACY
#elif defined(W_Q2_K) || defined(W_Q3_K) || defined(W_Q4_K) || defined(W_Q5_K) || defined(W_Q6_K) || defined(W_IQ4_XS)
#define XL_W_KQUANT
#elif !defined(W_F32)
#define W_F32
#endif

// Read through uniform texel buffers (vectorised gathers on CPU drivers, the texture path on GPUs).
#if defined(W_F32)
layout(binding = XL_W_BINDING) uniform samplerBuffer w_tex;    // RGBA32F: 4 weights per texel
#elif defined(XL_W_HALF4)
layout(binding = XL_W_BINDING) uniform usamplerBuffer w_tex;   // RG32UI: 4 halves per texel
#else
layout(binding = XL_W_BINDING) uniform usamplerBuffer w_tex;   // R32UI: block words
uint w_word(uint i) { return texelFetch(w_tex, int(i)).x; }
uint w_byte(uint base, uint b) { return (w_word(base + (b >> 2u)) >> (8u * (b & 3u))) & 255u; }
// Bit fields of the four bytes of `word`, shifted right by `shift` and masked.
uvec4 w_fields4(uint word, uint shift, uint mask) { return (uvec4(word) >> (uvec4(0u, 8u, 16u, 24u) + shift)) & mask; }
#endif

#if defined(XL_W_LEGACY) || defined(W_IQ4_XS)
const float kIq4nlValues[16] = float[16](-127., -104., -83., -65., -49., -35., -22., -10.,
                                         1., 13., 25., 38., 53., 69., 89., 113.);
#endif

#if defined(W_F32) || defined(XL_W_HALF4)
#include "weights_float.glsl"
#elif defined(XL_W_LEGACY)
#include "weights_legacy.glsl"
#else
#include "weights_kquants.glsl"
#endif

vec4 load_w4(uint r, uint c, uint stride) { return w_sub4(w_sub(r, c / XL_W_SUB, stride), c); }
float load_w1(uint r, uint c, uint stride) { return load_w4(r, c & ~3u, stride)[c & 3u]; }
