#include "core/gpu/vk_check.hpp"

#include <string>

#include "core/error.hpp"

namespace xl::gpu {

const char* vk_result_name(VkResult result) {
    switch (result) {
#define XL_CASE(r) case r: return #r;
        XL_CASE(VK_SUCCESS)
        XL_CASE(VK_NOT_READY)
        XL_CASE(VK_TIMEOUT)
        XL_CASE(VK_EVENT_SET)
        XL_CASE(VK_EVENT_RESET)
        XL_CASE(VK_INCOMPLETE)
        XL_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
        XL_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        XL_CASE(VK_ERROR_INITIALIZATION_FAILED)
        XL_CASE(VK_ERROR_DEVICE_LOST)
        XL_CASE(VK_ERROR_MEMORY_MAP_FAILED)
        XL_CASE(VK_ERROR_LAYER_NOT_PRESENT)
        XL_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
        XL_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
        XL_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
        XL_CASE(VK_ERROR_TOO_MANY_OBJECTS)
        XL_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
        XL_CASE(VK_ERROR_FRAGMENTED_POOL)
        XL_CASE(VK_ERROR_UNKNOWN)
        XL_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
        XL_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        XL_CASE(VK_ERROR_FRAGMENTATION)
        XL_CASE(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)
#undef XL_CASE
        default: return "VK_RESULT_UNKNOWN";
    }
}

void vk_fail(const char* call, VkResult result) {
    const bool oom = result == VK_ERROR_OUT_OF_HOST_MEMORY || result == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
                     result == VK_ERROR_OUT_OF_POOL_MEMORY;
    throw Error(oom ? ErrorKind::OutOfMemory : ErrorKind::Device, "Vulkan",
                std::string(call) + " failed: " + vk_result_name(result));
}

}  // namespace xl::gpu
