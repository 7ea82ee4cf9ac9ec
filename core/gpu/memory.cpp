#include "core/gpu/memory.hpp"

#include <cassert>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/fault_injection.hpp"
#include "core/gpu/vk_check.hpp"

namespace xl::gpu {

MemoryPool::~MemoryPool() {
    for (auto& b : blocks_)
        if (b.memory) vkFreeMemory(ctx_.device(), b.memory, nullptr);
}

int MemoryPool::find_type(uint32_t bits, VkMemoryPropertyFlags flags) const {
    const auto& mp = ctx_.memory_properties();
    for (uint32_t i = 0; i < mp.memoryTypeCount; ++i)
        if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & flags) == flags) return int(i);
    return -1;
}

bool MemoryPool::try_block(Block& b, int index, const VkMemoryRequirements& req, Allocation& out) {
    const VkDeviceSize align = req.alignment ? req.alignment : 1;
    for (auto it = b.free.begin(); it != b.free.end(); ++it) {
        const VkDeviceSize start = (it->first + align - 1) / align * align;
        const VkDeviceSize end = it->first + it->second;
        if (start + req.size > end) continue;
        const VkDeviceSize head = start - it->first, tail_off = start + req.size, tail = end - tail_off;
        b.free.erase(it);
        if (head) b.free[start - head] = head;
        if (tail) b.free[tail_off] = tail;
        b.used += req.size;
        out = {b.memory, start, req.size, b.mapped ? b.mapped + start : nullptr, index};
        return true;
    }
    return false;
}

int MemoryPool::new_block(uint32_t type, VkDeviceSize size) {
    auto info = vk_make<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
    info.allocationSize = size;
    info.memoryTypeIndex = type;
    Block b;
    b.type = type;
    b.size = size;
    if (const VkResult r = injected_allocation_result(block_bytes_, size); r != VK_SUCCESS)
        vk_fail("vkAllocateMemory (XL_TEST_DEVICE_MEMORY_MB)", r);
    VK_CHECK(vkAllocateMemory(ctx_.device(), &info, nullptr, &b.memory));
    ++blocks_allocated_;
    block_bytes_ += size;
    if (ctx_.memory_properties().memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
        void* p = nullptr;
        const VkResult r = vkMapMemory(ctx_.device(), b.memory, 0, VK_WHOLE_SIZE, 0, &p);
        if (r != VK_SUCCESS) {
            vkFreeMemory(ctx_.device(), b.memory, nullptr);
            block_bytes_ -= size;
            vk_fail("vkMapMemory", r);
        }
        b.mapped = static_cast<uint8_t*>(p);
    }
    b.free[0] = size;
    for (size_t i = 0; i < blocks_.size(); ++i)  // reuse a released slot
        if (!blocks_[i].memory) { blocks_[i] = std::move(b); return int(i); }
    blocks_.push_back(std::move(b));
    return int(blocks_.size() - 1);
}

Allocation MemoryPool::allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred) {
    int type = find_type(req.memoryTypeBits, required | preferred);
    if (type < 0) type = find_type(req.memoryTypeBits, required);
    if (type < 0) throw Error(ErrorKind::Device, ctx_.device_name(), "no suitable Vulkan memory type");
    // A buffer larger than the whole memory heap is refused before asking the driver.
    const auto& mp = ctx_.memory_properties();
    const uint64_t heap = device_memory_budget(mp.memoryHeaps[mp.memoryTypes[type].heapIndex].size);
    if (req.size > heap)
        throw Error(ErrorKind::OutOfMemory, ctx_.device_name(),
                    "a buffer of " + std::to_string(req.size) + " bytes is larger than the device's " +
                        std::to_string(heap >> 20) + " MiB of memory");
    Allocation a;
    for (size_t i = 0; i < blocks_.size(); ++i)
        if (blocks_[i].memory && blocks_[i].type == uint32_t(type) && try_block(blocks_[i], int(i), req, a)) {
            in_use_ += a.size;
            return a;
        }
    const VkDeviceSize size = std::max(kBlockSize, req.size);
    int index;
    try {
        index = new_block(uint32_t(type), size);
    } catch (const Error&) {
        if (size == req.size) throw;
        index = new_block(uint32_t(type), req.size);  // a smaller exact block may still fit
    }
    const bool ok = try_block(blocks_[size_t(index)], index, req, a);
    assert(ok);
    (void)ok;
    in_use_ += a.size;
    return a;
}

// One empty standard-size block per memory type stays allocated: a buffer freed and re-created
// every run (e.g. staging) then costs no vkAllocateMemory/vkMapMemory, which on discrete GPUs
// pin host pages and take milliseconds. Oversized exact blocks are always returned.
bool MemoryPool::keep_spare(size_t index) const {
    const Block& b = blocks_[index];
    if (b.size != kBlockSize) return false;
    for (size_t i = 0; i < blocks_.size(); ++i)
        if (i != index && blocks_[i].memory && blocks_[i].type == b.type && blocks_[i].used == 0) return false;
    return true;
}

void MemoryPool::free(const Allocation& a) {
    if (a.block < 0) return;
    Block& b = blocks_[size_t(a.block)];
    assert(b.memory == a.memory);
    in_use_ -= a.size;
    b.used -= a.size;
    auto it = b.free.emplace(a.offset, a.size).first;
    auto next = std::next(it);
    if (next != b.free.end() && it->first + it->second == next->first) {
        it->second += next->second;
        b.free.erase(next);
    }
    if (it != b.free.begin()) {
        auto prev = std::prev(it);
        if (prev->first + prev->second == it->first) {
            prev->second += it->second;
            b.free.erase(it);
        }
    }
    if (b.used == 0 && !keep_spare(size_t(a.block))) {  // give empty blocks back to the driver
        vkFreeMemory(ctx_.device(), b.memory, nullptr);
        block_bytes_ -= b.size;
        b = Block{};
    }
}

}  // namespace xl::gpu
