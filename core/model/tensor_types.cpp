// The table of weight types (tensor_types.hpp). Block sizes: ggml-common.h (QK4_0 = 32,
// QK_K = 256, block_q4_0 = f16 d + 16 bytes, ...). GPU padding keeps every 32-bit word of a
// block aligned: Q4_0/Q5_0/Q8_0/IQ4_NL put 2 zero bytes after their f16 scale (18 → 20, 22 → 24,
// 34 → 36 bytes), Q3_K/Q6_K pad their end (110 → 112, 210 → 212); the others are already whole words.
#include "core/model/tensor_types.hpp"

#include <cassert>

namespace xl {
namespace {

using L = GpuWeightLayout;
// clang-format off
constexpr TensorTypeInfo kTypes[] = {
    // type              name      ggml elems bytes layout    gpu  pad_at variant   dequantiser
    {TensorType::F32,    "F32",    0,   1,    4,    L::Float4, 0,   0,   "f32",    dequantize_f32},
    {TensorType::F16,    "F16",    1,   1,    2,    L::Half4,  0,   0,   "f16",    dequantize_f16},
    {TensorType::BF16,   "BF16",   30,  1,    2,    L::Half4,  0,   0,   "bf16",   dequantize_bf16},
    {TensorType::Q4_0,   "Q4_0",   2,   32,   18,   L::Blocks, 20,  2,   "q4_0",   dequantize_q4_0},
    {TensorType::Q4_1,   "Q4_1",   3,   32,   20,   L::Blocks, 20,  20,  "q4_1",   dequantize_q4_1},
    {TensorType::Q5_0,   "Q5_0",   6,   32,   22,   L::Blocks, 24,  2,   "q5_0",   dequantize_q5_0},
    {TensorType::Q5_1,   "Q5_1",   7,   32,   24,   L::Blocks, 24,  24,  "q5_1",   dequantize_q5_1},
    {TensorType::Q8_0,   "Q8_0",   8,   32,   34,   L::Blocks, 36,  2,   "q8_0",   dequantize_q8_0},
    {TensorType::Q2_K,   "Q2_K",   10,  256,  84,   L::Blocks, 84,  84,  "q2_k",   dequantize_q2_k},
    {TensorType::Q3_K,   "Q3_K",   11,  256,  110,  L::Blocks, 112, 110, "q3_k",   dequantize_q3_k},
    {TensorType::Q4_K,   "Q4_K",   12,  256,  144,  L::Blocks, 144, 144, "q4_k",   dequantize_q4_k},
    {TensorType::Q5_K,   "Q5_K",   13,  256,  176,  L::Blocks, 176, 176, "q5_k",   dequantize_q5_k},
    {TensorType::Q6_K,   "Q6_K",   14,  256,  210,  L::Blocks, 212, 210, "q6_k",   dequantize_q6_k},
    {TensorType::IQ4_NL, "IQ4_NL", 20,  32,   18,   L::Blocks, 20,  2,   "iq4_nl", dequantize_iq4_nl},
    {TensorType::IQ4_XS, "IQ4_XS", 23,  256,  136,  L::Blocks, 136, 136, "iq4_xs", dequantize_iq4_xs},
};
// clang-format on

constexpr bool table_in_enum_order() {
    for (size_t i = 0; i < std::size(kTypes); ++i)
        if (size_t(kTypes[i].type) != i) return false;
    return true;
}
static_assert(table_in_enum_order(), "kTypes rows must follow the TensorType enumerators");
static_assert(std::size(kTypes) == size_t(TensorType::Count), "one row per TensorType");

}  // namespace

std::span<const TensorTypeInfo> tensor_types() { return kTypes; }

const TensorTypeInfo& type_info(TensorType t) {
    assert(size_t(t) < std::size(kTypes));
    return kTypes[size_t(t)];
}

const TensorTypeInfo* type_info_by_ggml(uint32_t ggml_id) {
    for (const TensorTypeInfo& t : kTypes)
        if (t.ggml_id == ggml_id) return &t;
    return nullptr;
}

std::string supported_type_names() {
    std::string s;
    for (const TensorTypeInfo& t : kTypes) s += (s.empty() ? "" : ", ") + std::string(t.name);
    return s;
}

}  // namespace xl
