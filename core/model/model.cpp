// Names, row sizes and dequantisation of the weight types, from the table of tensor_types.cpp.
#include <cassert>

#include "core/model/model.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {

const char* to_string(TensorType t) {
    return size_t(t) < size_t(TensorType::Count) ? type_info(t).name : "?";
}

size_t row_bytes(TensorType t, int64_t cols) {
    const TensorTypeInfo& info = type_info(t);
    assert(cols >= 0 && cols % info.block_elems == 0);
    return size_t(cols / info.block_elems) * size_t(info.block_bytes);
}

void dequantize_row(const Tensor& t, int64_t r, float* out) {
    assert(!t.empty() && r >= 0 && r < t.rows);
    const TensorTypeInfo& info = type_info(t.type);
    const uint8_t* p = t.data + size_t(r) * row_bytes(t.type, t.cols);
    for (int64_t b = 0; b < t.cols / info.block_elems; ++b)
        info.dequantize_block(p + b * info.block_bytes, out + b * info.block_elems);
}

std::vector<float> dequantize(const Tensor& t) {
    std::vector<float> out(size_t(t.rows) * size_t(t.cols));
    for (int64_t r = 0; r < t.rows; ++r) dequantize_row(t, r, out.data() + r * t.cols);
    return out;
}

}  // namespace xl
