// Float weights (weights.glsl): F32 texels, or F16/BF16 halves four to an RG32UI texel.
// One "sub-block" is 4 columns; the state is the row's first element index.
#define XL_W_SUB 4u
struct WSub { uint base; };

WSub w_sub(uint r, uint s, uint stride) { return WSub(r * stride); }

vec4 w_sub4(WSub h, uint c) {
#if defined(W_F32)
    return texelFetch(w_tex, int((h.base + c) >> 2u));
#else
    const uvec2 v = texelFetch(w_tex, int((h.base + (c >> 1u)) >> 1u)).xy;
#if defined(W_F16)
    return vec4(unpackHalf2x16(v.x), unpackHalf2x16(v.y));
#else  // BF16: the upper half of a binary32
    return uintBitsToFloat(uvec4(v.x << 16u, v.x & 0xffff0000u, v.y << 16u, v.y & 0xffff0000u));
#endif
#endif
}
