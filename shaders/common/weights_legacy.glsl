// ggml's 32-element blocks (weights.glsl; block layouts ggml-common.h, CPU twin
// core/model/dequant_legacy.cpp). GPU words of a block: word 0 = f16 d (low) and f16 m (high;
// the zero padding for types without m); Q5_0/Q5_1 word 1 = qh; then the quants
// (XL_W_QS_WORD): Q4/Q5/IQ4_NL 16 bytes of nibbles (element j < 16 low nibble of byte j, else
// high nibble of byte j−16), Q8_0 32 int8.
#define XL_W_SUB 32u
#if defined(W_Q4_0) || defined(W_Q4_1) || defined(W_IQ4_NL)
#define XL_W_BLOCK_WORDS 5u
#define XL_W_QS_WORD 1u
#elif defined(W_Q5_0) || defined(W_Q5_1)
#define XL_W_BLOCK_WORDS 6u
#define XL_W_QS_WORD 2u
#else  // Q8_0
#define XL_W_BLOCK_WORDS 9u
#define XL_W_QS_WORD 1u
#endif

struct WSub { uint base; float d; float m; };

// Block s of row r: its first word and its scale d (and min m for Q4_1/Q5_1).
WSub w_sub(uint r, uint s, uint stride) {
    const uint base = r * stride + s * XL_W_BLOCK_WORDS;
    const vec2 dm = unpackHalf2x16(w_word(base));
    return WSub(base, dm.x, dm.y);
}

// Elements j..j+3 of the block (j = c % 32, a multiple of 4).
vec4 w_sub4(WSub h, uint c) {
    const uint j = c & 31u;
#if defined(W_Q8_0)
    const uint word = w_word(h.base + XL_W_QS_WORD + (j >> 2u));
    const ivec4 q = ivec4(word << 24u, word << 16u, word << 8u, word) >> 24;
    precise vec4 v = h.d * vec4(q);
#else
    const uvec4 n = w_fields4(w_word(h.base + XL_W_QS_WORD + ((j & 15u) >> 2u)), (j & 16u) >> 2u, 15u);
#if defined(W_Q5_0) || defined(W_Q5_1)
    const uvec4 q = n | (((uvec4(w_word(h.base + 1u)) >> (uvec4(0u, 1u, 2u, 3u) + j)) & 1u) << 4u);
#else
    const uvec4 q = n;
#endif
#if defined(W_Q4_0)
    precise vec4 v = h.d * vec4(ivec4(q) - 8);
#elif defined(W_Q5_0)
    precise vec4 v = h.d * vec4(ivec4(q) - 16);
#elif defined(W_IQ4_NL)
    precise vec4 v = h.d * vec4(kIq4nlValues[q.x], kIq4nlValues[q.y], kIq4nlValues[q.z], kIq4nlValues[q.w]);
#else  // Q4_1, Q5_1
    precise vec4 v = h.d * vec4(q) + h.m;
#endif
#endif
    return v;
}
