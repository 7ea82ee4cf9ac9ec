// The app renderer's small Vulkan memory helpers, shared by the screenshot target (vk_window.cpp)
// and the heatmap textures: choose a memory type, and allocate + bind memory for an image or buffer.
#pragma once
#include <vulkan/vulkan.h>

#include <stdexcept>
#include <string>

namespace xl {

inline uint32_t find_memory_type(VkPhysicalDevice physical, uint32_t bits, VkMemoryPropertyFlags flags) {
    VkPhysicalDeviceMemoryProperties mp;
    vkGetPhysicalDeviceMemoryProperties(physical, &mp);
    for (uint32_t i = 0; i < mp.memoryTypeCount; ++i)
        if ((bits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & flags) == flags) return i;
    throw std::runtime_error("no suitable Vulkan memory type for the app renderer");
}

inline VkDeviceMemory bind_new_memory(VkDevice device, VkPhysicalDevice physical, VkImage image, VkMemoryPropertyFlags flags) {
    VkMemoryRequirements mr;
    vkGetImageMemoryRequirements(device, image, &mr);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = mr.size;
    ai.memoryTypeIndex = find_memory_type(physical, mr.memoryTypeBits, flags);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (vkAllocateMemory(device, &ai, nullptr, &memory) != VK_SUCCESS) throw std::runtime_error("vkAllocateMemory failed (image)");
    vkBindImageMemory(device, image, memory, 0);
    return memory;
}

inline VkDeviceMemory bind_new_memory(VkDevice device, VkPhysicalDevice physical, VkBuffer buffer, VkMemoryPropertyFlags flags) {
    VkMemoryRequirements mr;
    vkGetBufferMemoryRequirements(device, buffer, &mr);
    VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ai.allocationSize = mr.size;
    ai.memoryTypeIndex = find_memory_type(physical, mr.memoryTypeBits, flags);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    if (vkAllocateMemory(device, &ai, nullptr, &memory) != VK_SUCCESS) throw std::runtime_error("vkAllocateMemory failed (buffer)");
    vkBindBufferMemory(device, buffer, memory, 0);
    return memory;
}

}  // namespace xl
