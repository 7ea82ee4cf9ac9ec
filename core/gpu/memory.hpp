// A simple sub-allocator: large VkDeviceMemory blocks per memory type, first-fit free lists,
// neighbours merged on free, empty blocks returned to the driver (except one spare per memory
// type, so that per-run buffers do not allocate). Host-visible blocks stay mapped for their lifetime. Used by gpu::Buffer; nothing else allocates device memory.
//
//   Allocation a = ctx.memory().allocate(requirements, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
//   vkBindBufferMemory(dev, buf, a.memory, a.offset);  ...  ctx.memory().free(a);
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <vector>

namespace xl::gpu {

class Context;

struct Allocation {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkDeviceSize offset = 0, size = 0;
    uint8_t* mapped = nullptr;   // host pointer when the memory type is host-visible
    int block = -1;
};

class MemoryPool {
public:
    explicit MemoryPool(Context& ctx) : ctx_(ctx) {}
    ~MemoryPool();
    MemoryPool(const MemoryPool&) = delete;
    MemoryPool& operator=(const MemoryPool&) = delete;

    // `required` flags must all be present; `preferred` flags are tried first.
    Allocation allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags required,
                        VkMemoryPropertyFlags preferred = 0);
    void free(const Allocation& a);
    uint64_t bytes_in_use() const { return in_use_; }
    uint64_t blocks_allocated() const { return blocks_allocated_; }  // vkAllocateMemory calls so far

    static constexpr VkDeviceSize kBlockSize = VkDeviceSize(256) << 20;

private:
    struct Block {
        VkDeviceMemory memory = VK_NULL_HANDLE;
        uint32_t type = 0;
        VkDeviceSize size = 0, used = 0;
        uint8_t* mapped = nullptr;
        std::map<VkDeviceSize, VkDeviceSize> free;  // offset -> size
    };
    int find_type(uint32_t bits, VkMemoryPropertyFlags flags) const;
    bool try_block(Block& b, int index, const VkMemoryRequirements& req, Allocation& out);
    int new_block(uint32_t type, VkDeviceSize size);
    bool keep_spare(size_t index) const;

    Context& ctx_;
    std::vector<Block> blocks_;
    uint64_t in_use_ = 0;
    uint64_t blocks_allocated_ = 0;
    uint64_t block_bytes_ = 0;  // bytes of the live blocks (XL_TEST_DEVICE_MEMORY_MB)
};

}  // namespace xl::gpu
