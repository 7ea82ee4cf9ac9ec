#include "core/gpu/recorder.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "core/gpu/context.hpp"
#include "core/gpu/fault_injection.hpp"
#include "core/gpu/vk_check.hpp"

namespace xl::gpu {
namespace {
constexpr uint32_t kMaxTimestamps = 512;
constexpr uint32_t kSetsPerPool = 256;
constexpr VkDeviceSize kArenaAlign = 256;
constexpr VkDeviceSize kArenaMin = VkDeviceSize(1) << 20;
}  // namespace

Recorder::Recorder(Context& ctx) : ctx_(ctx) {
    auto ainfo = vk_make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
    ainfo.commandPool = ctx.command_pool();
    ainfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ainfo.commandBufferCount = 1;
    VK_CHECK(vkAllocateCommandBuffers(ctx.device(), &ainfo, &cb_));
    auto finfo = vk_make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
    VK_CHECK(vkCreateFence(ctx.device(), &finfo, nullptr, &fence_));
    if (ctx.timestamps_supported()) {
        auto qinfo = vk_make<VkQueryPoolCreateInfo>(VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
        qinfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        qinfo.queryCount = kMaxTimestamps;
        VK_CHECK(vkCreateQueryPool(ctx.device(), &qinfo, nullptr, &queries_));
    }
}

DiscardOnThrow::~DiscardOnThrow() {
    if (std::uncaught_exceptions() > uncaught_) r_.discard();
}

void Recorder::discard() noexcept {
    if (recording_) vkEndCommandBuffer(cb_);
    recording_ = false;
    vkResetCommandBuffer(cb_, 0);
    after_.clear();
    retired_.clear();
    labels_.clear();
    written_.clear();
    read_.clear();
    upload_.used = readback_.used = 0;
    for (auto p : pools_) vkResetDescriptorPool(ctx_.device(), p, 0);
    pool_ = 0;
}

Recorder::~Recorder() {
    const VkDevice dev = ctx_.device();
    if (recording_) vkEndCommandBuffer(cb_);
    for (auto p : pools_) vkDestroyDescriptorPool(dev, p, nullptr);
    if (queries_) vkDestroyQueryPool(dev, queries_, nullptr);
    vkDestroyFence(dev, fence_, nullptr);
    vkFreeCommandBuffers(dev, ctx_.command_pool(), 1, &cb_);
}

void Recorder::begin_if_needed() {
    if (recording_) return;
    auto binfo = vk_make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
    binfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(cb_, &binfo));
    if (queries_) vkCmdResetQueryPool(cb_, queries_, 0, kMaxTimestamps);
    recording_ = true;
}

void Recorder::barrier() {
    auto mb = vk_make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                       VK_ACCESS_TRANSFER_WRITE_BIT;
    const VkPipelineStageFlags stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
    vkCmdPipelineBarrier(cb_, stages, stages, 0, 1, &mb, 0, nullptr, 0, nullptr);
    written_.clear();
    read_.clear();
    ++barriers_;
}

void Recorder::hazard(std::initializer_list<Binding> bindings) {
    bool need = false;
    for (const Binding& b : bindings) {
        const VkBuffer h = b.buffer->handle();
        if (written_.count(h) || (b.write && read_.count(h))) need = true;
    }
    if (need) barrier();
    for (const Binding& b : bindings) (b.write ? written_ : read_).insert(b.buffer->handle());
}

VkDescriptorSet Recorder::allocate_set(VkDescriptorSetLayout layout) {
    for (;; ++pool_) {
        if (pool_ == pools_.size()) {
            const VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * 12},
                                                  {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, kSetsPerPool * 8}};
            auto pinfo = vk_make<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
            pinfo.maxSets = kSetsPerPool;
            pinfo.poolSizeCount = 2;
            pinfo.pPoolSizes = sizes;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            VK_CHECK(vkCreateDescriptorPool(ctx_.device(), &pinfo, nullptr, &pool));
            pools_.push_back(pool);
        }
        auto ainfo = vk_make<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
        ainfo.descriptorPool = pools_[pool_];
        ainfo.descriptorSetCount = 1;
        ainfo.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        const VkResult r = vkAllocateDescriptorSets(ctx_.device(), &ainfo, &set);
        if (r == VK_SUCCESS) return set;
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) vk_fail("vkAllocateDescriptorSets", r);
    }
}

void Recorder::dispatch_raw(const Pipeline& p, std::initializer_list<Binding> bindings, const void* push,
                            uint32_t push_size, uint32_t gx, uint32_t gy, uint32_t gz) {
    assert(bindings.size() == p.kinds.size() && push_size == p.push_size);
    begin_if_needed();
    hazard(bindings);
    VkDescriptorSet set = allocate_set(p.set_layout);
    std::vector<VkDescriptorBufferInfo> infos(bindings.size());
    std::vector<VkBufferView> views(bindings.size());
    std::vector<VkWriteDescriptorSet> writes;
    uint32_t i = 0;
    for (const Binding& b : bindings) {
        const bool texel = p.kinds[i] == 't';
        assert(texel == (b.texel != VK_FORMAT_UNDEFINED));
        auto w = vk_make<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
        w.dstSet = set;
        w.dstBinding = i;
        w.descriptorCount = 1;
        if (texel) {
            views[i] = b.buffer->view(b.texel);
            w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
            w.pTexelBufferView = &views[i];
        } else {
            infos[i] = {b.buffer->handle(), 0, VK_WHOLE_SIZE};
            w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
            w.pBufferInfo = &infos[i];
        }
        writes.push_back(w);
        ++i;
    }
    vkUpdateDescriptorSets(ctx_.device(), uint32_t(writes.size()), writes.data(), 0, nullptr);
    vkCmdBindPipeline(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
    vkCmdBindDescriptorSets(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &set, 0, nullptr);
    if (push_size) vkCmdPushConstants(cb_, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size, push);
    if (gx && gy && gz) vkCmdDispatch(cb_, gx, gy, gz);
    ++dispatches_;
}

void Recorder::fill(Buffer& b, uint32_t value) {
    begin_if_needed();
    hazard({out(b)});
    vkCmdFillBuffer(cb_, b.handle(), 0, VK_WHOLE_SIZE, value);
}

void Recorder::copy(const Buffer& src, Buffer& dst, const std::vector<CopyRegion>& regions) {
    assert(src.handle() != dst.handle());
    if (regions.empty()) return;
    begin_if_needed();
    hazard({in(src), out(dst)});
    std::vector<VkBufferCopy> vk;
    vk.reserve(regions.size());
    for (const CopyRegion& r : regions) {
        assert(r.src_offset + r.bytes <= src.size() && r.dst_offset + r.bytes <= dst.size());
        vk.push_back({r.src_offset, r.dst_offset, r.bytes});
    }
    vkCmdCopyBuffer(cb_, src.handle(), dst.handle(), uint32_t(vk.size()), vk.data());
}

VkDeviceSize Recorder::reserve(Arena& a, BufferKind kind, VkDeviceSize bytes) {
    const VkDeviceSize start = (a.used + kArenaAlign - 1) / kArenaAlign * kArenaAlign;
    if (!a.buffer.valid() || start + bytes > a.buffer.size()) {
        // Grow geometrically so that a steady workload stops allocating after a few submits.
        const VkDeviceSize cap = std::max({kArenaMin, 2 * a.buffer.size(), 2 * (start + bytes)});
        if (a.buffer.valid()) retired_.push_back(std::move(a.buffer));
        a.buffer = Buffer(ctx_, cap, kind);
        a.used = bytes;
        return 0;
    }
    a.used = start + bytes;
    return start;
}

void Recorder::upload(Buffer& dst, const void* src, size_t bytes, size_t dst_offset) {
    assert(dst_offset + bytes <= dst.size());
    if (bytes == 0) return;
    if (dst.mapped()) {  // host writes before the submit are visible to it
        std::memcpy(dst.mapped() + dst_offset, src, bytes);
        return;
    }
    begin_if_needed();
    const VkDeviceSize at = reserve(upload_, BufferKind::Staging, bytes);
    std::memcpy(upload_.buffer.mapped() + at, src, bytes);
    hazard({out(dst)});
    VkBufferCopy region{at, dst_offset, bytes};
    vkCmdCopyBuffer(cb_, upload_.buffer.handle(), dst.handle(), 1, &region);
}

void Recorder::download(const Buffer& src, void* dst, size_t bytes, size_t src_offset) {
    assert(src_offset + bytes <= src.size());
    if (bytes == 0) return;
    begin_if_needed();
    if (src.mapped()) {
        after_.push_back([=, &src] { std::memcpy(dst, src.mapped() + src_offset, bytes); });
        return;
    }
    const VkDeviceSize at = reserve(readback_, BufferKind::Readback, bytes);
    hazard({in(src)});  // arena regions are disjoint: only the source needs ordering
    VkBufferCopy region{src_offset, at, bytes};
    vkCmdCopyBuffer(cb_, src.handle(), readback_.buffer.handle(), 1, &region);
    const uint8_t* from = readback_.buffer.mapped() + at;
    after_.push_back([=] { std::memcpy(dst, from, bytes); });
}

void Recorder::timestamp(std::string label) {
    if (!queries_ || labels_.size() >= kMaxTimestamps) return;
    begin_if_needed();
    vkCmdWriteTimestamp(cb_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_, uint32_t(labels_.size()));
    labels_.push_back(std::move(label));
}

void Recorder::submit() {
    begin_if_needed();
    // Make shader writes visible to the host reads done after the wait.
    auto mb = vk_make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    mb.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(cb_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
    VK_CHECK(vkEndCommandBuffer(cb_));
    recording_ = false;
    auto submit = vk_make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb_;
    VK_CHECK(vkResetFences(ctx_.device(), 1, &fence_));
    if (const VkResult r = injected_submit_result(); r != VK_SUCCESS) vk_fail("vkQueueSubmit (XL_TEST_DEVICE_LOST_AFTER)", r);
    VK_CHECK(vkQueueSubmit(ctx_.queue(), 1, &submit, fence_));
    VK_CHECK(vkWaitForFences(ctx_.device(), 1, &fence_, VK_TRUE, UINT64_MAX));
    for (auto& f : after_) f();
    timings_.clear();
    if (queries_ && labels_.size() > 1) {
        std::vector<uint64_t> ticks(labels_.size());
        VK_CHECK(vkGetQueryPoolResults(ctx_.device(), queries_, 0, uint32_t(ticks.size()), ticks.size() * 8,
                                       ticks.data(), 8, VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
        for (size_t i = 1; i < ticks.size(); ++i)
            timings_.emplace_back(labels_[i], double(ticks[i] - ticks[i - 1]) * ctx_.timestamp_period_ns() * 1e-6);
    }
    after_.clear();
    retired_.clear();
    upload_.used = readback_.used = 0;
    labels_.clear();
    written_.clear();
    read_.clear();
    for (auto p : pools_) VK_CHECK(vkResetDescriptorPool(ctx_.device(), p, 0));
    pool_ = 0;
    VK_CHECK(vkResetCommandBuffer(cb_, 0));
}

}  // namespace xl::gpu
