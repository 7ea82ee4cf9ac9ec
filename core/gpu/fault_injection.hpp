// Test-only device faults, so that out-of-memory and lost-device handling can be tested on any
// machine (DESIGN.md #14). Both are off unless their environment variable is set:
//   XL_TEST_DEVICE_MEMORY_MB=M    the device has M MiB: a buffer larger than that is refused
//                                 before allocating, and vkAllocateMemory past M MiB in total
//                                 fails with VK_ERROR_OUT_OF_DEVICE_MEMORY
//   XL_TEST_DEVICE_LOST_AFTER=N   compute submissions after the first N fail with
//                                 VK_ERROR_DEVICE_LOST (N = 0: the first one already)
//   XL_TEST_STORAGE_RANGE_KB=K    the forward pass sizes its buffers as if one storage-buffer
//                                 binding held at most K KiB (lavapipe's 128 MiB, made small)
//
//   if (VkResult r = gpu::injected_submit_result(); r != VK_SUCCESS) vk_fail("vkQueueSubmit", r);
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>

namespace xl::gpu {

// The memory budget in bytes: XL_TEST_DEVICE_MEMORY_MB when set, else `heap_bytes`.
uint64_t device_memory_budget(uint64_t heap_bytes);
// VK_ERROR_OUT_OF_DEVICE_MEMORY when allocating `size` more bytes on top of `allocated`
// exceeds XL_TEST_DEVICE_MEMORY_MB; VK_SUCCESS otherwise (or when unset).
VkResult injected_allocation_result(uint64_t allocated, uint64_t size);
// The largest storage-buffer binding in bytes: XL_TEST_STORAGE_RANGE_KB when set (and smaller),
// else `device_range` (VkPhysicalDeviceLimits::maxStorageBufferRange).
uint64_t storage_buffer_range(uint64_t device_range);
// Counts submissions; VK_ERROR_DEVICE_LOST past XL_TEST_DEVICE_LOST_AFTER.
VkResult injected_submit_result();

}  // namespace xl::gpu
