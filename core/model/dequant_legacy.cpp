// Scalar dequantisation of ggml's 32-element block types (block layouts: ggml-common.h; the
// arithmetic follows the gguf package's gguf/quants.py in float32, so results are bit-identical;
// this file is built with -ffp-contract=off so that d·q + m is never fused).
//   Q4_0   f16 d, 16 bytes of nibbles: element j < 16 is the low nibble of qs[j], j ≥ 16 the high
//          nibble of qs[j-16]; value = d·(q − 8).
//   Q4_1   f16 d, f16 m, nibbles as Q4_0; value = d·q + m.
//   Q5_0   f16 d, u32 qh (bit j = 5th bit of element j), nibbles as Q4_0; value = d·(q − 16).
//   Q5_1   f16 d, f16 m, u32 qh, nibbles; value = d·q + m.
//   Q8_0   f16 d, 32 int8; value = d·q.
//   IQ4_NL f16 d, nibbles as Q4_0 indexing the non-linear table kIq4nlValues; value = d·table[q].
#include <cstring>

#include "core/model/half.hpp"
#include "core/model/iq4_values.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {
namespace {

constexpr int kQk = 32;

// The 4-bit code of element j of a 16-byte nibble array (ggml's split-halves order).
inline int nibble(const uint8_t* qs, int j) { return j < 16 ? qs[j] & 0x0f : qs[j - 16] >> 4; }
inline uint32_t load_u32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }

}  // namespace

void dequantize_q4_0(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b));
    for (int j = 0; j < kQk; ++j) out[j] = d * float(nibble(b + 2, j) - 8);
}

void dequantize_q4_1(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b)), m = f16_to_f32(load_u16(b + 2));
    for (int j = 0; j < kQk; ++j) out[j] = d * float(nibble(b + 4, j)) + m;
}

void dequantize_q5_0(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b));
    const uint32_t qh = load_u32(b + 2);
    for (int j = 0; j < kQk; ++j) out[j] = d * float((nibble(b + 6, j) | int((qh >> j) & 1u) << 4) - 16);
}

void dequantize_q5_1(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b)), m = f16_to_f32(load_u16(b + 2));
    const uint32_t qh = load_u32(b + 4);
    for (int j = 0; j < kQk; ++j) out[j] = d * float(nibble(b + 8, j) | int((qh >> j) & 1u) << 4) + m;
}

void dequantize_q8_0(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b));
    for (int j = 0; j < kQk; ++j) out[j] = d * float(int8_t(b[2 + j]));
}

void dequantize_iq4_nl(const uint8_t* b, float* out) {
    const float d = f16_to_f32(load_u16(b));
    for (int j = 0; j < kQk; ++j) out[j] = d * float(kIq4nlValues[nibble(b + 2, j)]);
}

}  // namespace xl
