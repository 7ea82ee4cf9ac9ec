// One VK_CHECK for every Vulkan call whose failure is not a programmer error.
//
//   VK_CHECK(vkCreateBuffer(dev, &info, nullptr, &buf));
//   -> throws xl::Error(Device, "Vulkan", "vkCreateBuffer(dev, &info, nullptr, &buf) failed: VK_ERROR_...")
// Out-of-memory results become ErrorKind::OutOfMemory so callers can report them as such.
#pragma once
#include <vulkan/vulkan.h>

namespace xl::gpu {

const char* vk_result_name(VkResult result);
[[noreturn]] void vk_fail(const char* call, VkResult result);

// A zero-initialised Vulkan info struct with its sType set: auto i = vk_make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
template <class T> T vk_make(VkStructureType type) {
    T v{};
    v.sType = type;
    return v;
}

}  // namespace xl::gpu

#define VK_CHECK(call)                                                   \
    do {                                                                 \
        const VkResult xl_vk_result_ = (call);                           \
        if (xl_vk_result_ != VK_SUCCESS) ::xl::gpu::vk_fail(#call, xl_vk_result_); \
    } while (0)
