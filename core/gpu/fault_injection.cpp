#include "core/gpu/fault_injection.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>

namespace xl::gpu {
namespace {

// -1 when the variable is unset or not a number.
long long env_number(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return -1;
    char* end = nullptr;
    const long long x = std::strtoll(v, &end, 10);
    return end && *end == '\0' && x >= 0 ? x : -1;
}

std::atomic<long long> g_submits{0};  // process-wide, like the device it stands for

}  // namespace

uint64_t device_memory_budget(uint64_t heap_bytes) {
    const long long mb = env_number("XL_TEST_DEVICE_MEMORY_MB");
    return mb < 0 ? heap_bytes : uint64_t(mb) << 20;
}

VkResult injected_allocation_result(uint64_t allocated, uint64_t size) {
    const long long mb = env_number("XL_TEST_DEVICE_MEMORY_MB");
    if (mb >= 0 && allocated + size > (uint64_t(mb) << 20)) return VK_ERROR_OUT_OF_DEVICE_MEMORY;
    return VK_SUCCESS;
}

uint64_t storage_buffer_range(uint64_t device_range) {
    const long long kb = env_number("XL_TEST_STORAGE_RANGE_KB");
    return kb < 0 ? device_range : std::min(device_range, uint64_t(kb) << 10);
}

VkResult injected_submit_result() {
    const long long after = env_number("XL_TEST_DEVICE_LOST_AFTER");
    if (after < 0) return VK_SUCCESS;
    return g_submits.fetch_add(1) >= after ? VK_ERROR_DEVICE_LOST : VK_SUCCESS;
}

}  // namespace xl::gpu
