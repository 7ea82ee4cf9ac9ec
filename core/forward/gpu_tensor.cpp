#include "core/forward/gpu_tensor.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "core/model/half.hpp"

namespace xl {
namespace {

// Weights are read through texel views (shaders/common/weights.glsl); create them now so that a
// tensor too large for the device's texel-buffer limit is reported by name at load time.
void make_views(const Tensor& t, GpuTensor& g) {
    const VkFormat data_format = g.type == TensorType::F16    ? VK_FORMAT_R32G32_UINT
                                 : g.type == TensorType::Q8_0 ? VK_FORMAT_R32_UINT
                                                              : VK_FORMAT_R32G32B32A32_SFLOAT;
    try {
        g.data.view(data_format);
        g.scale_binding().view(VK_FORMAT_R32_SFLOAT);
    } catch (const Error& e) {
        throw Error(ErrorKind::Unsupported, t.name, e.what());
    }
}

gpu::Buffer make_buffer(gpu::Context& ctx, const Tensor& t, const void* data, uint64_t bytes) {
    gpu::Buffer b(ctx, bytes);
    gpu::upload(ctx, b, data, bytes);
    return b;
}

}  // namespace

GpuTensor upload_tensor(gpu::Context& ctx, const Tensor& t) {
    GpuTensor g;
    g.rows = t.rows;
    g.cols = t.cols;
    switch (t.type) {
        case TensorType::F32:
        case TensorType::BF16: {  // rows padded to a multiple of 4 floats (vec4 loads)
            g.type = TensorType::F32;
            g.stride = uint32_t((t.cols + 3) / 4 * 4);
            if (t.type == TensorType::F32 && int64_t(g.stride) == t.cols) {
                g.data = make_buffer(ctx, t, t.data, t.nbytes());
            } else {
                std::vector<float> f(size_t(t.rows) * g.stride, 0.f);
                for (int64_t r = 0; r < t.rows; ++r) dequantize_row(t, r, &f[size_t(r) * g.stride]);
                g.data = make_buffer(ctx, t, f.data(), f.size() * 4);
            }
            break;
        }
        case TensorType::F16: {
            g.type = TensorType::F16;
            g.stride = uint32_t((t.cols + 3) / 4 * 2);  // rows padded to a multiple of 4 halves
            if (t.cols % 4 == 0) {
                g.data = make_buffer(ctx, t, t.data, t.nbytes());
            } else {
                std::vector<uint16_t> padded(size_t(t.rows) * g.stride * 2, 0);
                for (int64_t r = 0; r < t.rows; ++r)
                    std::memcpy(&padded[size_t(r) * g.stride * 2], t.data + r * row_bytes(t.type, t.cols),
                                size_t(t.cols) * 2);
                g.data = make_buffer(ctx, t, padded.data(), padded.size() * 2);
            }
            break;
        }
        case TensorType::Q8_0: {
            g.type = TensorType::Q8_0;
            g.stride = uint32_t(t.cols / 4);
            const int64_t blocks = t.cols / kQ8BlockSize;
            std::vector<int8_t> qs(size_t(t.rows * t.cols));
            std::vector<float> scales(size_t(t.rows * blocks));
            for (int64_t r = 0; r < t.rows; ++r) {
                const uint8_t* row = t.data + r * row_bytes(t.type, t.cols);
                for (int64_t b = 0; b < blocks; ++b) {
                    const uint8_t* blk = row + b * kQ8BlockBytes;
                    scales[size_t(r * blocks + b)] = f16_to_f32(load_u16(blk));
                    std::memcpy(&qs[size_t(r * t.cols + b * kQ8BlockSize)], blk + 2, kQ8BlockSize);
                }
            }
            g.data = make_buffer(ctx, t, qs.data(), qs.size());
            g.scales = make_buffer(ctx, t, scales.data(), scales.size() * 4);
            break;
        }
    }
    make_views(t, g);
    return g;
}

gpu::Buffer upload_f32(gpu::Context& ctx, const Tensor& t) {
    const std::vector<float> f = dequantize(t);
    return make_buffer(ctx, t, f.data(), f.size() * 4);
}

gpu::Buffer upload_floats(gpu::Context& ctx, const std::vector<float>& v) {
    gpu::Buffer b(ctx, v.size() * 4);
    gpu::upload(ctx, b, v.data(), v.size() * 4);
    return b;
}

}  // namespace xl
