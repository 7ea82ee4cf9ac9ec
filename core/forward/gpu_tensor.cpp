#include "core/forward/gpu_tensor.hpp"

#include <cstring>

#include "core/error.hpp"
#include "core/gpu/context.hpp"

namespace xl {
namespace {

gpu::Buffer make_buffer(gpu::Context& ctx, const void* data, uint64_t bytes) {
    gpu::Buffer b(ctx, bytes);
    gpu::upload(ctx, b, data, bytes);
    return b;
}

// Rows padded to a multiple of 4 elements of `elem` bytes; as stored when already aligned.
gpu::Buffer upload_padded_rows(gpu::Context& ctx, const Tensor& t, size_t elem, uint32_t& stride_elems) {
    const int64_t padded = (t.cols + 3) / 4 * 4;
    stride_elems = uint32_t(padded);
    if (padded == t.cols) return make_buffer(ctx, t.data, t.nbytes());
    std::vector<uint8_t> out(size_t(t.rows) * size_t(padded) * elem, 0);
    for (int64_t r = 0; r < t.rows; ++r)
        std::memcpy(&out[size_t(r) * size_t(padded) * elem], t.data + r * row_bytes(t.type, t.cols), size_t(t.cols) * elem);
    return make_buffer(ctx, out.data(), out.size());
}

// ggml blocks as 32-bit words: each block gets gpu_block_bytes - block_bytes zero bytes at gpu_pad_at.
gpu::Buffer upload_blocks(gpu::Context& ctx, const Tensor& t, const TensorTypeInfo& info, uint32_t& stride_words) {
    const int64_t blocks = t.rows * (t.cols / info.block_elems);
    stride_words = uint32_t(t.cols / info.block_elems * info.gpu_block_bytes / 4);
    if (info.gpu_block_bytes == info.block_bytes) return make_buffer(ctx, t.data, t.nbytes());
    const size_t in = size_t(info.block_bytes), out_size = size_t(info.gpu_block_bytes), at = size_t(info.gpu_pad_at);
    std::vector<uint8_t> out(size_t(blocks) * out_size, 0);
    for (int64_t b = 0; b < blocks; ++b) {
        const uint8_t* src = t.data + size_t(b) * in;
        uint8_t* dst = out.data() + size_t(b) * out_size;
        std::memcpy(dst, src, at);
        std::memcpy(dst + at + (out_size - in), src + at, in - at);
    }
    return make_buffer(ctx, out.data(), out.size());
}

}  // namespace

VkFormat weight_texel_format(GpuWeightLayout layout) {
    switch (layout) {
        case GpuWeightLayout::Float4: return VK_FORMAT_R32G32B32A32_SFLOAT;
        case GpuWeightLayout::Half4: return VK_FORMAT_R32G32_UINT;
        case GpuWeightLayout::Blocks: return VK_FORMAT_R32_UINT;
    }
    return VK_FORMAT_UNDEFINED;
}

GpuTensor upload_tensor(gpu::Context& ctx, const Tensor& t) {
    const TensorTypeInfo& info = type_info(t.type);
    GpuTensor g;
    g.type = t.type;
    g.rows = t.rows;
    g.cols = t.cols;
    uint32_t stride = 0;
    switch (info.gpu_layout) {
        case GpuWeightLayout::Float4:
            g.data = upload_padded_rows(ctx, t, 4, stride);
            g.stride = stride;
            break;
        case GpuWeightLayout::Half4:
            g.data = upload_padded_rows(ctx, t, 2, stride);
            g.stride = stride / 2;  // words of two halves
            break;
        case GpuWeightLayout::Blocks:
            g.data = upload_blocks(ctx, t, info, stride);
            g.stride = stride;
            break;
    }
    // Weights are read through texel views: create the view now so that a tensor too large for
    // the device's texel-buffer limit is reported by name at load time.
    try {
        g.data.view(weight_texel_format(info.gpu_layout));
    } catch (const Error& e) {
        throw Error(ErrorKind::Unsupported, t.name, e.what());
    }
    return g;
}

gpu::Buffer upload_f32(gpu::Context& ctx, const Tensor& t) {
    const std::vector<float> f = dequantize(t);
    return make_buffer(ctx, f.data(), f.size() * 4);
}

gpu::Buffer upload_floats(gpu::Context& ctx, const std::vector<float>& v) {
    gpu::Buffer b(ctx, v.size() * 4);
    gpu::upload(ctx, b, v.data(), v.size() * 4);
    return b;
}

}  // namespace xl
