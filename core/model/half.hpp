// Bit-level conversions of the 16-bit float formats used by model files (little-endian data).
//   float x = xl::f16_to_f32(xl::load_u16(p));   uint16_t h = xl::f32_to_f16(1.5f);
// f16: IEEE 754 binary16 (subnormals, inf, NaN handled); bf16: upper 16 bits of binary32.
#pragma once
#include <cstdint>
#include <cstring>

namespace xl {

inline constexpr int kQ8BlockSize = 32;   // ggml QK8_0: values per block_q8_0
inline constexpr int kQ8BlockBytes = 34;  // f16 scale + 32 int8

inline uint16_t load_u16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }

inline float bits_to_f32(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t f32_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu;
    uint32_t mant = h & 0x3ffu;
    if (exp == 0x1f) return bits_to_f32(sign | 0x7f800000u | (mant << 13));  // inf / NaN
    if (exp == 0) {
        if (mant == 0) return bits_to_f32(sign);                              // ±0
        // Subnormal: value = mant · 2^-24; normalise into binary32.
        int e = -1;
        do { mant <<= 1; ++e; } while ((mant & 0x400u) == 0);
        mant &= 0x3ffu;
        return bits_to_f32(sign | uint32_t(127 - 15 - e) << 23 | (mant << 13));
    }
    return bits_to_f32(sign | (exp + 127 - 15) << 23 | (mant << 13));
}

// Round-to-nearest-even conversion to binary16 (overflow -> inf).
inline uint16_t f32_to_f16(float f) {
    const uint32_t u = f32_to_bits(f);
    const uint16_t sign = uint16_t((u >> 16) & 0x8000u);
    const uint32_t exp = (u >> 23) & 0xffu;
    uint32_t mant = u & 0x7fffffu;
    if (exp == 0xff) return uint16_t(sign | 0x7c00u | (mant ? 0x200u : 0));
    const int e = int(exp) - 127 + 15;
    if (e >= 0x1f) return uint16_t(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return sign;
        mant |= 0x800000u;
        const int shift = 14 - e;
        uint32_t h = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return uint16_t(sign | h);
    }
    uint32_t h = uint32_t(e) << 10 | (mant >> 13);
    const uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;  // may carry into the exponent: fine
    return uint16_t(sign | h);
}

inline float bf16_to_f32(uint16_t b) { return bits_to_f32(uint32_t(b) << 16); }
// Round-to-nearest-even truncation to bfloat16 (NaN kept quiet).
inline uint16_t f32_to_bf16(float f) {
    const uint32_t u = f32_to_bits(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
    return uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

}  // namespace xl
