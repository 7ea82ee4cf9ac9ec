// Scalar dequantisation of ggml's 256-element super-block types (block layouts: ggml-common.h;
// float32 arithmetic in the order of the gguf package's gguf/quants.py, so results are
// bit-identical; built with -ffp-contract=off). Element e of a block, sub-block s:
//   Q2_K   scales[16] (low nibble scale, high nibble min), qs[64], f16 d, f16 dmin; s = e/16;
//          q = (qs[32·(e/128) + e%32] >> 2·((e%128)/32)) & 3; value = (d·sc)·q − (dmin·m).
//   Q3_K   hmask[32], qs[64], scales[12] (16 packed 6-bit), f16 d; s = e/16; q = low 2 bits as
//          Q2_K, minus 4 when bit e/32 of hmask[e%32] is clear; value = (d·(sc − 32))·q.
//   Q4_K   f16 d, f16 dmin, scales[12] (8 packed 6-bit scales and mins), qs[128]; s = e/32;
//          q = (qs[32·(e/64) + e%32] >> 4·(s%2)) & 15; value = (d·sc)·q − (dmin·m).
//   Q5_K   as Q4_K with qh[32] before qs: 5th bit = bit s of qh[e%32].
//   Q6_K   ql[128], qh[64], int8 scales[16], f16 d; s = e/16; low 4 bits from ql, high 2 from qh;
//          value = (d·scale)·(q − 32).
//   IQ4_XS f16 d, u16 scales_h, scales_l[4], qs[128]; s = e/32; 6-bit scale ls − 32;
//          q = (qs[16·s + e%16] >> 4·((e%32)/16)) & 15; value = (d·ls)·table[q].
#include "core/model/half.hpp"
#include "core/model/iq4_values.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {
namespace {

// The 2-bit code of element e in Q2_K/Q3_K's qs[64].
inline int crumb(const uint8_t* qs, int e) { return (qs[32 * (e / 128) + e % 32] >> (2 * ((e % 128) / 32))) & 3; }

// Scale and min of sub-block s (0..7) of Q4_K/Q5_K's 12 packed bytes (ggml get_scale_min_k4).
inline void scale_min_k4(const uint8_t* sc, int s, int& scale, int& min) {
    if (s < 4) {
        scale = sc[s] & 63;
        min = sc[s + 4] & 63;
    } else {
        scale = (sc[s + 4] & 15) | ((sc[s - 4] >> 6) << 4);
        min = (sc[s + 4] >> 4) | ((sc[s] >> 6) << 4);
    }
}

}  // namespace

void dequantize_q2_k(const uint8_t* b, float* out) {
    const uint8_t* scales = b;
    const uint8_t* qs = b + 16;
    const float d = f16_to_f32(load_u16(b + 80)), dmin = f16_to_f32(load_u16(b + 82));
    for (int s = 0; s < 16; ++s) {
        const float dl = d * float(scales[s] & 15), ml = dmin * float(scales[s] >> 4);
        for (int e = 16 * s; e < 16 * s + 16; ++e) out[e] = dl * float(crumb(qs, e)) - ml;
    }
}

void dequantize_q3_k(const uint8_t* b, float* out) {
    const uint8_t* hmask = b;
    const uint8_t* qs = b + 32;
    const uint8_t* sc = b + 96;
    const float d = f16_to_f32(load_u16(b + 108));
    for (int s = 0; s < 16; ++s) {
        const int low = s < 8 ? sc[s] & 15 : sc[s - 8] >> 4;
        const int high = (sc[8 + s % 4] >> (2 * (s / 4))) & 3;
        const float dl = d * float(int8_t(low | high << 4) - 32);
        for (int e = 16 * s; e < 16 * s + 16; ++e) {
            const int hbit = (hmask[e % 32] >> (e / 32)) & 1;
            out[e] = dl * float(crumb(qs, e) - (hbit ? 0 : 4));
        }
    }
}

void dequantize_q4_k(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b)), dmin = f16_to_f32(load_u16(b + 2));
    const uint8_t* qs = b + 16;
    for (int s = 0; s < 8; ++s) {
        int sc, m;
        scale_min_k4(b + 4, s, sc, m);
        const float dl = d * float(sc), ml = dmin * float(m);
        for (int e = 32 * s; e < 32 * s + 32; ++e)
            out[e] = dl * float((qs[32 * (s / 2) + e % 32] >> (4 * (s % 2))) & 15) - ml;
    }
}

void dequantize_q5_k(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b)), dmin = f16_to_f32(load_u16(b + 2));
    const uint8_t* qh = b + 16;
    const uint8_t* qs = b + 48;
    for (int s = 0; s < 8; ++s) {
        int sc, m;
        scale_min_k4(b + 4, s, sc, m);
        const float dl = d * float(sc), ml = dmin * float(m);
        for (int e = 32 * s; e < 32 * s + 32; ++e) {
            const int q = ((qs[32 * (s / 2) + e % 32] >> (4 * (s % 2))) & 15) | ((qh[e % 32] >> s) & 1) << 4;
            out[e] = dl * float(q) - ml;
        }
    }
}

void dequantize_q6_k(const uint8_t* b, float* out) {
    const uint8_t* ql = b;
    const uint8_t* qh = b + 128;
    const int8_t* scales = reinterpret_cast<const int8_t*>(b + 192);
    const float d = f16_to_f32(load_u16(b + 208));
    for (int s = 0; s < 16; ++s) {
        const float dl = d * float(scales[s]);
        for (int e = 16 * s; e < 16 * s + 16; ++e) {
            const int a = e / 128, w = e % 128;
            const int low = (ql[64 * a + w % 64] >> (4 * (w / 64))) & 15;
            const int high = (qh[32 * a + w % 32] >> (2 * (w / 32))) & 3;
            out[e] = dl * float(int8_t(low | high << 4) - 32);
        }
    }
}

void dequantize_iq4_xs(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b));
    const int scales_h = load_u16(b + 2);
    const uint8_t* scales_l = b + 4;
    const uint8_t* qs = b + 8;
    for (int s = 0; s < 8; ++s) {
        const int ls = (((scales_l[s / 2] >> (4 * (s % 2))) & 15) | ((scales_h >> (2 * s)) & 3) << 4) - 32;
        const float dl = d * float(ls);
        for (int e = 32 * s; e < 32 * s + 32; ++e)
            out[e] = dl * float(kIq4nlValues[(qs[16 * s + e % 16] >> (4 * ((e % 32) / 16))) & 15]);
    }
}

}  // namespace xl
