// A storage buffer sub-allocated from the context's MemoryPool (move-only, RAII).
// Kinds: Device (device-local; also host-mapped on UMA devices such as lavapipe),
// Staging (host-visible, for uploads), Readback (host-visible, cached when possible).
//
//   gpu::Buffer b(ctx, bytes, gpu::BufferKind::Device);
//   gpu::upload(ctx, b, host_ptr, bytes);      // memcpy when mapped, else a staging copy
//   gpu::download(ctx, b, host_ptr, bytes);
#pragma once
#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/gpu/memory.hpp"

namespace xl::gpu {

class Context;

enum class BufferKind { Device, Staging, Readback };

class Buffer {
public:
    Buffer() = default;
    Buffer(Context& ctx, VkDeviceSize bytes, BufferKind kind = BufferKind::Device);
    ~Buffer();
    Buffer(Buffer&& o) noexcept { swap(o); }
    Buffer& operator=(Buffer&& o) noexcept { Buffer t(std::move(o)); swap(t); return *this; }
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;

    VkBuffer handle() const { return buffer_; }
    VkDeviceSize size() const { return size_; }
    uint8_t* mapped() const { return alloc_.mapped; }   // null unless host-visible
    bool valid() const { return buffer_ != VK_NULL_HANDLE; }
    // A texel view of the whole buffer in `format` (created once, owned by the buffer). Shaders
    // read such views with texelFetch: on CPU drivers a vectorised gather, much cheaper than a
    // storage-buffer load, which lavapipe performs lane by lane.
    VkBufferView view(VkFormat format) const;
    void swap(Buffer& o) noexcept;

private:
    Context* ctx_ = nullptr;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    VkDeviceSize size_ = 0;
    Allocation alloc_;
    struct View {
        VkFormat format;
        VkBufferView view;
    };
    mutable std::vector<View> views_;
};

// Blocking transfers (their own submit when the buffer is not mapped).
void upload(Context& ctx, Buffer& dst, const void* src, size_t bytes, size_t dst_offset = 0);
void download(Context& ctx, const Buffer& src, void* dst, size_t bytes, size_t src_offset = 0);

}  // namespace xl::gpu
