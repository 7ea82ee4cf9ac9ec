// Block dequantisers of the float types (one element per "block"): F32 as stored, F16 IEEE 754
// binary16, BF16 the upper half of a binary32 (core/model/half.hpp).
#include <cstring>

#include "core/model/half.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {

void dequantize_f32(const uint8_t* b, float* out) { std::memcpy(out, b, 4); }
void dequantize_f16(const uint8_t* b, float* out) { *out = f16_to_f32(load_u16(b)); }
void dequantize_bf16(const uint8_t* b, float* out) { *out = bf16_to_f32(load_u16(b)); }

}  // namespace xl
