// Weights on the GPU: a model Tensor uploaded once in a shader-friendly layout
// (shaders/common/weights.glsl): F32 and F16 with rows padded to a multiple of 4 elements,
// Q8_0 repacked into int8 words + float scales, BF16 converted to F32.
//
//   GpuTensor wq = upload_tensor(ctx, model.weights.layers[0].wq);
//   gpu::Buffer norm = upload_f32(ctx, model.weights.layers[0].attn_norm);  // vectors, as floats
#pragma once
#include <cstdint>
#include <vector>

#include "core/gpu/buffer.hpp"
#include "core/model/model.hpp"

namespace xl {

struct GpuTensor {
    TensorType type = TensorType::F32;  // F32, F16 or Q8_0 on the GPU
    int64_t rows = 0, cols = 0;
    uint32_t stride = 0;                // row stride in 32-bit words
    gpu::Buffer data;
    gpu::Buffer scales;                 // Q8_0 only
    const gpu::Buffer& scale_binding() const { return scales.valid() ? scales : data; }
    uint64_t bytes() const { return data.size() + (scales.valid() ? scales.size() : 0); }
};

// Throws Error(Unsupported) naming the tensor when it exceeds the device's texel-buffer limit.
GpuTensor upload_tensor(gpu::Context& ctx, const Tensor& t);
gpu::Buffer upload_f32(gpu::Context& ctx, const Tensor& t);                  // dequantised floats
gpu::Buffer upload_floats(gpu::Context& ctx, const std::vector<float>& v);  // v must be non-empty

}  // namespace xl
