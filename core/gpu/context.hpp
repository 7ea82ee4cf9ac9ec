// The Vulkan instance, the chosen physical device, one compute queue, and what the rest of
// core/gpu needs to know about the device (memory types, limits, timestamp period).
//
//   auto ctx = xl::gpu::Context::create();          // discrete > integrated > CPU (lavapipe)
//   auto ctx = xl::gpu::Context::create(1);         // device index override (--device 1)
//   std::puts(ctx->device_name().c_str());
//   ... ctx->validation_messages() is empty after a clean run with validation enabled.
// Validation layers: on when XL_VULKAN_VALIDATION=1 (off when =0), by default in Debug builds.
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace xl::gpu {

class MemoryPool;
class PipelineCache;

struct DeviceInfo {
    int index = 0;
    std::string name;
    VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
};

class Context {
public:
    // device_index < 0: automatic choice. validation: -1 = from env/build type, 0 = off, 1 = on.
    static std::shared_ptr<Context> create(int device_index = -1, int validation = -1);
    static std::vector<DeviceInfo> list_devices();  // every Vulkan device, in index order
    // The index create(-1) chooses (discrete > integrated > virtual > CPU, with a compute queue),
    // so that the desktop app renders on the device the compute core uses; -1 if none.
    static int automatic_device_index();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    VkDevice device() const { return device_; }
    VkPhysicalDevice physical() const { return physical_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return queue_family_; }
    VkCommandPool command_pool() const { return command_pool_; }

    const std::string& device_name() const { return name_; }
    int device_index() const { return index_; }
    // Device memory is host-visible (CPU driver or integrated GPU): buffers are mapped directly.
    bool uma() const { return uma_; }
    bool has_fp64() const { return fp64_; }
    // fp16×fp16→fp32 16×16×16 cooperative matrices (VK_NV_cooperative_matrix, 32-wide subgroups):
    // matmul takes shaders/matmul_coop.comp, attention shaders/attention_coop.comp. Off on lavapipe,
    // or with XL_COOP=0 (XL_COOP_ATTN=0: attention alone).
    bool has_coop_matrix() const { return coop_matrix_; }
    // The matmul path in words, printed with the device ("cooperative matrices (NV, fp16 ...)").
    std::string compute_path() const;
    const VkPhysicalDeviceProperties& properties() const { return props_; }
    const VkPhysicalDeviceMemoryProperties& memory_properties() const { return mem_props_; }
    uint64_t device_local_bytes() const;   // size of the largest device-local heap
    double timestamp_period_ns() const { return props_.limits.timestampPeriod; }
    bool timestamps_supported() const { return timestamps_; }

    bool validation_enabled() const { return validation_; }
    // Warnings and errors reported by the validation layers since creation (or the last clear).
    std::vector<std::string> validation_messages() const;
    void clear_validation_messages();
    void record_message(std::string message);  // called by the debug messenger

    MemoryPool& memory() { return *memory_; }
    PipelineCache& pipelines() { return *pipelines_; }

    // One-shot command buffer: record with `fn`, submit, wait.
    template <class Fn> void submit_now(Fn&& fn) {
        VkCommandBuffer cb = begin_one_shot();
        fn(cb);
        end_one_shot(cb);
    }
    VkCommandBuffer begin_one_shot();
    void end_one_shot(VkCommandBuffer cb);

private:
    Context() = default;
    void init(int device_index, bool validation);

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    VkCommandPool command_pool_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    std::string name_;
    int index_ = 0;
    bool uma_ = false, fp64_ = false, coop_matrix_ = false, timestamps_ = false, validation_ = false;
    VkPhysicalDeviceProperties props_{};
    VkPhysicalDeviceMemoryProperties mem_props_{};
    mutable std::mutex messages_mutex_;
    std::vector<std::string> messages_;
    std::unique_ptr<MemoryPool> memory_;
    std::unique_ptr<PipelineCache> pipelines_;
};

}  // namespace xl::gpu
