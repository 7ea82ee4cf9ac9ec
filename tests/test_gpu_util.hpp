// Helpers shared by the GPU tests (tests/test_gpu_*.cpp): one Vulkan context with validation
// layers for the whole test binary (pipelines compile once), host tensors of every weight type,
// random data and transfers.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/gpu/buffer.hpp"
#include "core/gpu/context.hpp"
#include "core/model/half.hpp"
#include "core/model/model.hpp"
#include "core/model/tensor_types.hpp"

namespace xl::test {

inline std::shared_ptr<gpu::Context> gpu_context() {
    static std::shared_ptr<gpu::Context> ctx = gpu::Context::create(-1, /*validation*/ 1);
    return ctx;
}

// Fails the current test with every validation message recorded since the last check.
inline void check_validation_clean(gpu::Context& ctx) {
    const auto messages = ctx.validation_messages();
    for (const auto& m : messages) FAIL_CHECK(m);
    CHECK(messages.empty());
    ctx.clear_validation_messages();
}

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

// A Tensor that owns its bytes, encoded from floats in the given type (Q8_0: per-block absmax).
struct HostTensor {
    std::vector<uint8_t> bytes;
    Tensor tensor;
};

inline HostTensor make_tensor(TensorType type, int64_t rows, int64_t cols, const std::vector<float>& v) {
    HostTensor h;
    h.bytes.resize(size_t(rows) * row_bytes(type, cols));
    for (int64_t r = 0; r < rows; ++r) {
        uint8_t* row = h.bytes.data() + r * row_bytes(type, cols);
        const float* x = v.data() + r * cols;
        for (int64_t c = 0; c < cols; ++c) {
            if (type == TensorType::F32) std::memcpy(row + 4 * c, &x[c], 4);
            if (type == TensorType::F16 || type == TensorType::BF16) {
                const uint16_t b = type == TensorType::F16 ? f32_to_f16(x[c]) : f32_to_bf16(x[c]);
                row[2 * c] = uint8_t(b & 0xff);
                row[2 * c + 1] = uint8_t(b >> 8);
            }
        }
        if (type != TensorType::Q8_0) continue;
        for (int64_t b = 0; b < cols / kQ8BlockSize; ++b) {
            float amax = 0;
            for (int k = 0; k < kQ8BlockSize; ++k) amax = std::max(amax, std::fabs(x[b * kQ8BlockSize + k]));
            const uint16_t d16 = f32_to_f16(amax / 127.f);
            const float d = f16_to_f32(d16);
            uint8_t* blk = row + b * kQ8BlockBytes;
            blk[0] = uint8_t(d16 & 0xff);
            blk[1] = uint8_t(d16 >> 8);
            for (int k = 0; k < kQ8BlockSize; ++k) {
                const float q = d > 0 ? std::round(x[b * kQ8BlockSize + k] / d) : 0.f;
                blk[2 + k] = uint8_t(int8_t(std::clamp(q, -127.f, 127.f)));
            }
        }
    }
    h.tensor.type = type;
    h.tensor.rows = rows;
    h.tensor.cols = cols;
    h.tensor.data = h.bytes.data();
    h.tensor.name = "test";
    return h;
}

// Byte offsets of the f16 scale fields of a block type (ggml-common.h block layouts).
inline std::vector<int> f16_scale_offsets(TensorType t) {
    switch (t) {
        case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: case TensorType::IQ4_NL:
        case TensorType::IQ4_XS: return {0};
        case TensorType::Q4_1: case TensorType::Q5_1: case TensorType::Q4_K: case TensorType::Q5_K: return {0, 2};
        case TensorType::Q2_K: return {80, 82};
        case TensorType::Q3_K: return {108};
        case TensorType::Q6_K: return {208};
        default: return {};
    }
}

// A tensor of any type: float types encode random floats in [-1, 1]; block types are random
// bytes whose f16 scales are set to random magnitudes in [2^-10, 2^-5) (both signs), so that the
// weights stay of order 1 while every quant bit pattern occurs.
inline HostTensor random_tensor(TensorType type, int64_t rows, int64_t cols, uint32_t seed) {
    const TensorTypeInfo& info = type_info(type);
    if (info.block_elems == 1) return make_tensor(type, rows, cols, random_floats(size_t(rows * cols), seed));
    std::mt19937 rng(seed);
    HostTensor h;
    h.bytes.resize(size_t(rows) * row_bytes(type, cols));
    for (auto& b : h.bytes) b = uint8_t(rng());
    std::uniform_real_distribution<float> mag(-10.f, -5.f);
    for (size_t b = 0; b < h.bytes.size(); b += size_t(info.block_bytes))
        for (int off : f16_scale_offsets(type)) {
            const float d = std::exp2(mag(rng)) * ((rng() & 1) ? 1.f : -1.f);
            const uint16_t v = f32_to_f16(d);
            h.bytes[b + size_t(off)] = uint8_t(v & 0xff);
            h.bytes[b + size_t(off) + 1] = uint8_t(v >> 8);
        }
    h.tensor.type = type;
    h.tensor.rows = rows;
    h.tensor.cols = cols;
    h.tensor.data = h.bytes.data();
    h.tensor.name = "test";
    return h;
}

template <class T> gpu::Buffer to_gpu(const std::vector<T>& v) {
    auto& ctx = *gpu_context();
    gpu::Buffer b(ctx, std::max<size_t>(v.size(), 1) * sizeof(T));
    gpu::upload(ctx, b, v.data(), v.size() * sizeof(T));
    return b;
}

inline gpu::Buffer gpu_floats(size_t n) { return gpu::Buffer(*gpu_context(), std::max<size_t>(n, 1) * 4); }

inline std::vector<float> from_gpu(const gpu::Buffer& b, size_t n) {
    std::vector<float> v(n);
    gpu::download(*gpu_context(), b, v.data(), n * 4);
    return v;
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double m = a.size() == b.size() ? 0.0 : 1e30;
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(double(a[i]) - double(b[i])));
    return m;
}

}  // namespace xl::test
