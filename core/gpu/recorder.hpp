// Records many dispatches into one command buffer and submits them at once. Barriers are
// inserted automatically: a dispatch that reads a buffer written since the last barrier
// (or writes one read/written since then) gets a compute/transfer memory barrier first.
// Timestamps bracket named sections for profiling.
//
//   gpu::Recorder rec(ctx);
//   rec.upload(plan_buf, data, bytes);
//   rec.dispatch(pipe, {gpu::texel(w), gpu::in(x), gpu::out(y)}, pc, groups_x, groups_y);
//   rec.download(losses, host, bytes);       // copied to `host` when submit() returns
//   rec.copy(cache, scratch, {{src, dst, bytes}, ...});  // device-side copies of byte ranges
//   rec.timestamp("layer 0");
//   rec.submit();                            // one vkQueueSubmit, waits for completion
// Everything per-run is reused across submits: the command buffer is reset, descriptor pools
// are reset, and staging/readback copies are sub-allocated from two grow-only host-visible
// arenas (allocating host-visible memory is a slow, pinning system call on discrete GPUs).
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <set>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/gpu/buffer.hpp"
#include "core/gpu/pipeline.hpp"

namespace xl::gpu {

class Context;

struct Binding {
    const Buffer* buffer = nullptr;
    bool write = false;
    VkFormat texel = VK_FORMAT_UNDEFINED;  // uniform texel buffer view of this format
};
inline Binding in(const Buffer& b) { return {&b, false}; }
inline Binding out(Buffer& b) { return {&b, true}; }
inline Binding texel(const Buffer& b, VkFormat f = VK_FORMAT_R32G32B32A32_SFLOAT) { return {&b, false, f}; }

class Recorder;

// Calls recorder.discard() when the scope is left by an exception (a pass failed half-way: its
// deferred downloads point into results that are gone, its commands into buffers of that pass).
class DiscardOnThrow {
public:
    explicit DiscardOnThrow(Recorder& r) : r_(r), uncaught_(std::uncaught_exceptions()) {}
    ~DiscardOnThrow();
    DiscardOnThrow(const DiscardOnThrow&) = delete;
    DiscardOnThrow& operator=(const DiscardOnThrow&) = delete;

private:
    Recorder& r_;
    int uncaught_;
};

class Recorder {
public:
    explicit Recorder(Context& ctx);
    ~Recorder();
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    void dispatch_raw(const Pipeline& p, std::initializer_list<Binding> bindings, const void* push, uint32_t push_size,
                      uint32_t gx, uint32_t gy = 1, uint32_t gz = 1);
    template <class PC>
    void dispatch(const Pipeline& p, std::initializer_list<Binding> bindings, const PC& push, uint32_t gx,
                  uint32_t gy = 1, uint32_t gz = 1) {
        static_assert(!std::is_pointer_v<PC>, "pass the push-constant struct itself");
        dispatch_raw(p, bindings, &push, uint32_t(sizeof(PC)), gx, gy, gz);
    }
    void fill(Buffer& b, uint32_t value);                               // whole buffer
    // Byte ranges of src copied into dst (one vkCmdCopyBuffer; src and dst distinct buffers).
    struct CopyRegion {
        size_t src_offset, dst_offset, bytes;
    };
    void copy(const Buffer& src, Buffer& dst, const std::vector<CopyRegion>& regions);
    void upload(Buffer& dst, const void* src, size_t bytes, size_t dst_offset = 0);
    void download(const Buffer& src, void* dst, size_t bytes, size_t src_offset = 0);
    void timestamp(std::string label);
    void submit();  // submit, wait, run deferred downloads, reset for reuse
    // Drops everything recorded since the last submit (commands, deferred downloads, staging
    // space): after a failed pass, nothing of it may run or be written later.
    void discard() noexcept;

    // After submit(): milliseconds between consecutive timestamps, labelled by the later one.
    const std::vector<std::pair<std::string, double>>& timings() const { return timings_; }
    uint32_t dispatch_count() const { return dispatches_; }
    uint32_t barrier_count() const { return barriers_; }

private:
    void begin_if_needed();
    void hazard(std::initializer_list<Binding> bindings);
    void barrier();
    VkDescriptorSet allocate_set(VkDescriptorSetLayout layout);

    // A grow-only host-visible buffer, sub-allocated linearly and rewound after each submit.
    struct Arena {
        Buffer buffer;
        VkDeviceSize used = 0;
    };
    // Offset of `bytes` fresh bytes in `a` (replacing a too-small buffer; the old one is kept
    // alive in retired_ until the submit that uses it has completed).
    VkDeviceSize reserve(Arena& a, BufferKind kind, VkDeviceSize bytes);

    Context& ctx_;
    VkCommandBuffer cb_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    VkQueryPool queries_ = VK_NULL_HANDLE;
    std::vector<VkDescriptorPool> pools_;
    size_t pool_ = 0;
    bool recording_ = false;
    std::set<VkBuffer> written_, read_;
    Arena upload_, readback_;
    std::vector<Buffer> retired_;
    std::vector<std::function<void()>> after_;
    std::vector<std::string> labels_;
    std::vector<std::pair<std::string, double>> timings_;
    uint32_t dispatches_ = 0, barriers_ = 0;
};

}  // namespace xl::gpu
