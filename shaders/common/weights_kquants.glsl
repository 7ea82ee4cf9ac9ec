// ggml's 256-element super-blocks (weights.glsl; block layouts ggml-common.h, CPU twin
// core/model/dequant_kquants.cpp with the element formulas). A kernel's sub-block is the scale
// granularity: 16 elements (Q2_K, Q3_K, Q6_K) or 32 (Q4_K, Q5_K, IQ4_XS). Byte offsets are
// those of the file's block; Q3_K and Q6_K carry 2 padding bytes at their end on the GPU.
#if defined(W_Q2_K)
#define XL_W_BLOCK_WORDS 21u   // scales[16] qs[64] d dmin
#define XL_W_SUB 16u
#elif defined(W_Q3_K)
#define XL_W_BLOCK_WORDS 28u   // hmask[32] qs[64] scales[12] d (+2)
#define XL_W_SUB 16u
#elif defined(W_Q4_K)
#define XL_W_BLOCK_WORDS 36u   // d dmin scales[12] qs[128]
#define XL_W_SUB 32u
#elif defined(W_Q5_K)
#define XL_W_BLOCK_WORDS 44u   // d dmin scales[12] qh[32] qs[128]
#define XL_W_SUB 32u
#elif defined(W_Q6_K)
#define XL_W_BLOCK_WORDS 53u   // ql[128] qh[64] scales[16] d (+2)
#define XL_W_SUB 16u
#else  // IQ4_XS
#define XL_W_BLOCK_WORDS 34u   // d scales_h scales_l[4] qs[128]
#define XL_W_SUB 32u
#endif
#define XL_W_SUBS (256u / XL_W_SUB)

// value = d·q − m for the sub-block; `sub` is its index inside the super-block.
struct WSub { uint base; uint sub; float d; float m; };

#if defined(W_Q4_K) || defined(W_Q5_K)
// Scale and min of sub-block s of the 12 packed bytes at byte 4 (ggml get_scale_min_k4).
uvec2 w_scale_min_k4(uint base, uint s) {
    if (s < 4u) return uvec2(w_byte(base, 4u + s) & 63u, w_byte(base, 8u + s) & 63u);
    const uint hi = w_byte(base, 8u + s);
    return uvec2((hi & 15u) | ((w_byte(base, s) >> 6u) << 4u), (hi >> 4u) | ((w_byte(base, 4u + s) >> 6u) << 4u));
}
#endif

WSub w_sub(uint r, uint s, uint stride) {
    WSub h;
    h.base = r * stride + (s / XL_W_SUBS) * XL_W_BLOCK_WORDS;
    h.sub = s % XL_W_SUBS;
    h.m = 0.0;
#if defined(W_Q2_K)
    const vec2 dd = unpackHalf2x16(w_word(h.base + 20u));
    const uint sc = w_byte(h.base, h.sub);
    h.d = dd.x * float(sc & 15u);
    h.m = dd.y * float(sc >> 4u);
#elif defined(W_Q3_K)
    const uint low = h.sub < 8u ? w_byte(h.base, 96u + h.sub) & 15u : w_byte(h.base, 88u + h.sub) >> 4u;
    const uint high = (w_byte(h.base, 104u + (h.sub & 3u)) >> (2u * (h.sub >> 2u))) & 3u;
    h.d = unpackHalf2x16(w_word(h.base + 27u)).x * float(int(low | (high << 4u)) - 32);
#elif defined(W_Q4_K) || defined(W_Q5_K)
    const vec2 dd = unpackHalf2x16(w_word(h.base));
    const uvec2 sm = w_scale_min_k4(h.base, h.sub);
    h.d = dd.x * float(sm.x);
    h.m = dd.y * float(sm.y);
#elif defined(W_Q6_K)
    h.d = unpackHalf2x16(w_word(h.base + 52u)).x * float(int(w_byte(h.base, 192u + h.sub) << 24u) >> 24);
#else  // IQ4_XS
    const uint w0 = w_word(h.base);
    const uint ls = ((w_byte(h.base, 4u + (h.sub >> 1u)) >> (4u * (h.sub & 1u))) & 15u) |
                    (((w0 >> (16u + 2u * h.sub)) & 3u) << 4u);
    h.d = unpackHalf2x16(w0).x * float(int(ls) - 32);
#endif
    return h;
}

// Elements j..j+3 of the super-block (j = c % 256, a multiple of 4).
vec4 w_sub4(WSub h, uint c) {
    const uint j = c & 255u;
    // Q2_K/Q3_K 2-bit codes: byte 32·(j/128) + j%32 of qs, bits 2·((j%128)/32).
#if defined(W_Q2_K)
    const uvec4 q = w_fields4(w_word(h.base + 4u + ((32u * (j >> 7u) + (j & 31u)) >> 2u)), 2u * ((j & 127u) >> 5u), 3u);
    precise vec4 v = h.d * vec4(q) - h.m;
#elif defined(W_Q3_K)
    const uvec4 low = w_fields4(w_word(h.base + 8u + ((32u * (j >> 7u) + (j & 31u)) >> 2u)), 2u * ((j & 127u) >> 5u), 3u);
    const uvec4 hbit = w_fields4(w_word(h.base + ((j & 31u) >> 2u)), j >> 5u, 1u);
    precise vec4 v = h.d * vec4(ivec4(low) - 4 * (1 - ivec4(hbit)));
#elif defined(W_Q4_K) || defined(W_Q5_K)
#if defined(W_Q4_K)
    const uint qs = 4u;
#else
    const uint qs = 12u;
#endif
    uvec4 q = w_fields4(w_word(h.base + qs + ((32u * (h.sub >> 1u) + (j & 31u)) >> 2u)), 4u * (h.sub & 1u), 15u);
#if defined(W_Q5_K)
    q |= w_fields4(w_word(h.base + 4u + ((j & 31u) >> 2u)), h.sub, 1u) << 4u;
#endif
    precise vec4 v = h.d * vec4(q) - h.m;
#elif defined(W_Q6_K)
    const uint a = j >> 7u, w = j & 127u;
    const uvec4 low = w_fields4(w_word(h.base + ((64u * a + (w & 63u)) >> 2u)), 4u * (w >> 6u), 15u);
    const uvec4 high = w_fields4(w_word(h.base + 32u + ((32u * a + (w & 31u)) >> 2u)), 2u * (w >> 5u), 3u);
    precise vec4 v = h.d * vec4(ivec4(low | (high << 4u)) - 32);
#else  // IQ4_XS
    const uvec4 q = w_fields4(w_word(h.base + 2u + ((16u * h.sub + (j & 15u)) >> 2u)), 4u * ((j & 31u) >> 4u), 15u);
    precise vec4 v = h.d * vec4(kIq4nlValues[q.x], kIq4nlValues[q.y], kIq4nlValues[q.z], kIq4nlValues[q.w]);
#endif
    return v;
}
