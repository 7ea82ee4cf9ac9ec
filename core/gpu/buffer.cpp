#include "core/gpu/buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/vk_check.hpp"

namespace xl::gpu {

Buffer::Buffer(Context& ctx, VkDeviceSize bytes, BufferKind kind) : ctx_(&ctx), size_(bytes) {
    assert(bytes > 0);
    auto info = vk_make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    info.size = bytes;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                 VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VK_CHECK(vkCreateBuffer(ctx.device(), &info, nullptr, &buffer_));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(ctx.device(), buffer_, &req);
    constexpr VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    try {
        switch (kind) {
            case BufferKind::Device:
                alloc_ = ctx.uma() ? ctx.memory().allocate(req, host, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
                                   : ctx.memory().allocate(req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
                break;
            case BufferKind::Staging: alloc_ = ctx.memory().allocate(req, host); break;
            case BufferKind::Readback:
                alloc_ = ctx.memory().allocate(req, host, VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
                break;
        }
    } catch (...) {
        vkDestroyBuffer(ctx.device(), buffer_, nullptr);
        throw;
    }
    VK_CHECK(vkBindBufferMemory(ctx.device(), buffer_, alloc_.memory, alloc_.offset));
}

Buffer::~Buffer() {
    if (!buffer_) return;
    for (const View& v : views_) vkDestroyBufferView(ctx_->device(), v.view, nullptr);
    vkDestroyBuffer(ctx_->device(), buffer_, nullptr);
    ctx_->memory().free(alloc_);
}

void Buffer::swap(Buffer& o) noexcept {
    std::swap(ctx_, o.ctx_);
    std::swap(buffer_, o.buffer_);
    std::swap(size_, o.size_);
    std::swap(alloc_, o.alloc_);
    std::swap(views_, o.views_);
}

namespace {
VkDeviceSize texel_bytes(VkFormat f) {
    switch (f) {
        case VK_FORMAT_R32G32B32A32_SFLOAT:
        case VK_FORMAT_R32G32B32A32_UINT: return 16;
        case VK_FORMAT_R32G32_SFLOAT:
        case VK_FORMAT_R32G32_UINT: return 8;
        default: return 4;
    }
}
}  // namespace

VkBufferView Buffer::view(VkFormat format) const {
    for (const View& v : views_)
        if (v.format == format) return v.view;
    const VkDeviceSize texel = texel_bytes(format);
    const VkDeviceSize max_texels = ctx_->properties().limits.maxTexelBufferElements;
    const VkDeviceSize texels = std::min(size_ / texel, max_texels);
    if (texels == 0 || size_ / texel > max_texels)
        throw Error(ErrorKind::Unsupported, ctx_->device_name(),
                    "a buffer of " + std::to_string(size_ >> 20) + " MiB exceeds the texel-buffer limit");
    auto info = vk_make<VkBufferViewCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO);
    info.buffer = buffer_;
    info.format = format;
    info.offset = 0;
    info.range = texels * texel;
    VkBufferView v = VK_NULL_HANDLE;
    VK_CHECK(vkCreateBufferView(ctx_->device(), &info, nullptr, &v));
    views_.push_back({format, v});
    return v;
}

namespace {
constexpr size_t kStagingChunk = size_t(64) << 20;
}

void upload(Context& ctx, Buffer& dst, const void* src, size_t bytes, size_t dst_offset) {
    assert(dst_offset + bytes <= dst.size());
    if (bytes == 0) return;
    if (dst.mapped()) {
        std::memcpy(dst.mapped() + dst_offset, src, bytes);
        return;
    }
    Buffer staging(ctx, std::min(bytes, kStagingChunk), BufferKind::Staging);
    for (size_t done = 0; done < bytes;) {
        const size_t n = std::min(bytes - done, kStagingChunk);
        std::memcpy(staging.mapped(), static_cast<const uint8_t*>(src) + done, n);
        ctx.submit_now([&](VkCommandBuffer cb) {
            VkBufferCopy region{0, dst_offset + done, n};
            vkCmdCopyBuffer(cb, staging.handle(), dst.handle(), 1, &region);
        });
        done += n;
    }
}

void download(Context& ctx, const Buffer& src, void* dst, size_t bytes, size_t src_offset) {
    assert(src_offset + bytes <= src.size());
    if (bytes == 0) return;
    if (src.mapped()) {
        std::memcpy(dst, src.mapped() + src_offset, bytes);
        return;
    }
    Buffer staging(ctx, std::min(bytes, kStagingChunk), BufferKind::Readback);
    for (size_t done = 0; done < bytes;) {
        const size_t n = std::min(bytes - done, kStagingChunk);
        ctx.submit_now([&](VkCommandBuffer cb) {
            VkBufferCopy region{src_offset + done, 0, n};
            vkCmdCopyBuffer(cb, src.handle(), staging.handle(), 1, &region);
        });
        std::memcpy(static_cast<uint8_t*>(dst) + done, staging.mapped(), n);
        done += n;
    }
}

}  // namespace xl::gpu
