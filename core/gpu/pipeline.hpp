// Compute pipelines built from the embedded SPIR-V (xl::find_spirv), one descriptor set whose
// bindings 0..n-1 are described by a string ('s' storage buffer, 't' uniform texel buffer), one
// push-constant range, and optional specialization constants (constant_id 0..k-1, 32-bit each).
// Pipelines are cached by name + constants.
//
//   const gpu::Pipeline& p = ctx.pipelines().get("matmul_f16", "tts", sizeof(pc::Matmul), {64});
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace xl::gpu {

class Context;

struct Pipeline {
    std::string name;
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    std::string kinds;   // one char per binding: 's' storage buffer, 't' uniform texel buffer
    uint32_t push_size = 0;
};

class PipelineCache {
public:
    explicit PipelineCache(Context& ctx) : ctx_(ctx) {}
    ~PipelineCache();
    PipelineCache(const PipelineCache&) = delete;
    PipelineCache& operator=(const PipelineCache&) = delete;

    // Throws Error(Device) when the shader is not in the registry.
    const Pipeline& get(const std::string& name, const std::string& kinds, uint32_t push_size,
                        const std::vector<uint32_t>& constants = {});
    size_t size() const { return cache_.size(); }

private:
    Context& ctx_;
    std::map<std::pair<std::string, std::vector<uint32_t>>, std::unique_ptr<Pipeline>> cache_;
};

}  // namespace xl::gpu
