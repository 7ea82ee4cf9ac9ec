// Scalar definitions of the weight types (model.hpp): names, row sizes, dequantisation.
// F16 is IEEE 754 binary16, BF16 the upper half of an IEEE 754 binary32, Q8_0 the ggml
// block_q8_0 (one f16 scale d, then 32 int8 q; value = d·q).
#include <cassert>
#include <cstring>

#include "core/model/model.hpp"
#include "core/model/half.hpp"

namespace xl {

const char* to_string(TensorType t) {
    switch (t) {
        case TensorType::F32: return "F32";
        case TensorType::F16: return "F16";
        case TensorType::BF16: return "BF16";
        case TensorType::Q8_0: return "Q8_0";
    }
    return "?";
}

size_t row_bytes(TensorType t, int64_t cols) {
    assert(cols >= 0);
    switch (t) {
        case TensorType::F32: return size_t(cols) * 4;
        case TensorType::F16:
        case TensorType::BF16: return size_t(cols) * 2;
        case TensorType::Q8_0:
            assert(cols % kQ8BlockSize == 0);
            return size_t(cols / kQ8BlockSize) * kQ8BlockBytes;
    }
    return 0;
}

void dequantize_row(const Tensor& t, int64_t r, float* out) {
    assert(!t.empty() && r >= 0 && r < t.rows);
    const uint8_t* p = t.data + size_t(r) * row_bytes(t.type, t.cols);
    const int64_t n = t.cols;
    switch (t.type) {
        case TensorType::F32:
            std::memcpy(out, p, size_t(n) * 4);
            return;
        case TensorType::F16:
            for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(load_u16(p + 2 * i));
            return;
        case TensorType::BF16:
            for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(load_u16(p + 2 * i));
            return;
        case TensorType::Q8_0:
            for (int64_t b = 0; b < n / kQ8BlockSize; ++b) {
                const uint8_t* blk = p + b * kQ8BlockBytes;
                const float d = f16_to_f32(load_u16(blk));
                for (int i = 0; i < kQ8BlockSize; ++i)
                    out[b * kQ8BlockSize + i] = d * float(int8_t(blk[2 + i]));
            }
            return;
    }
}

std::vector<float> dequantize(const Tensor& t) {
    std::vector<float> out(size_t(t.rows) * size_t(t.cols));
    for (int64_t r = 0; r < t.rows; ++r) dequantize_row(t, r, out.data() + r * t.cols);
    return out;
}

}  // namespace xl
