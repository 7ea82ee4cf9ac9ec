// Weights on the GPU: a model Tensor uploaded once, packed as in the file, in the layout of its
// row of core/model/tensor_types.cpp (read by shaders/common/weights.glsl): F32 as RGBA32F and
// F16/BF16 as pairs of halves, rows padded to a multiple of 4 elements; quantised types as their
// ggml blocks in 32-bit words (Q4_0, Q5_0, Q8_0, IQ4_NL, Q3_K and Q6_K blocks padded by 2 bytes
// to whole words: 11 %, 9 %, 6 %, 11 %, 1.8 % and 1 % more than the file).
//
//   GpuTensor wq = upload_tensor(ctx, model.weights.layers[0].wq);
//   gpu::Buffer norm = upload_f32(ctx, model.weights.layers[0].attn_norm);  // vectors, as floats
#pragma once
#include <cstdint>
#include <vector>

#include "core/gpu/buffer.hpp"
#include "core/model/model.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {

struct GpuTensor {
    TensorType type = TensorType::F32;  // as in the file
    int64_t rows = 0, cols = 0;
    uint32_t stride = 0;                // row stride: floats (F32), else 32-bit words
    gpu::Buffer data;
    uint64_t bytes() const { return data.size(); }
};

// The texel format through which shaders read a weight layout.
VkFormat weight_texel_format(GpuWeightLayout layout);

// Throws Error(Unsupported) naming the tensor when it exceeds the device's texel-buffer limit.
GpuTensor upload_tensor(gpu::Context& ctx, const Tensor& t);
gpu::Buffer upload_f32(gpu::Context& ctx, const Tensor& t);                  // dequantised floats
gpu::Buffer upload_floats(gpu::Context& ctx, const std::vector<float>& v);  // v must be non-empty

}  // namespace xl
