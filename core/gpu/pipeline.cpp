#include "core/gpu/pipeline.hpp"

#include <cassert>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/spirv_registry.hpp"
#include "core/gpu/vk_check.hpp"

namespace xl::gpu {

PipelineCache::~PipelineCache() {
    const VkDevice dev = ctx_.device();
    for (auto& [key, p] : cache_) {
        vkDestroyPipeline(dev, p->pipeline, nullptr);
        vkDestroyPipelineLayout(dev, p->layout, nullptr);
        vkDestroyDescriptorSetLayout(dev, p->set_layout, nullptr);
    }
}

const Pipeline& PipelineCache::get(const std::string& name, const std::string& kinds, uint32_t push_size,
                                   const std::vector<uint32_t>& constants) {
    auto key = std::make_pair(name, constants);
    if (auto it = cache_.find(key); it != cache_.end()) {
        assert(it->second->kinds == kinds && it->second->push_size == push_size);
        return *it->second;
    }
    const auto spirv = find_spirv(name);
    if (spirv.empty()) throw Error(ErrorKind::Device, name, "shader not found in the SPIR-V registry");
    const VkDevice dev = ctx_.device();
    auto p = std::make_unique<Pipeline>();
    p->name = name;
    p->kinds = kinds;
    const uint32_t bindings = uint32_t(kinds.size());
    p->push_size = push_size;

    std::vector<VkDescriptorSetLayoutBinding> b(bindings);
    for (uint32_t i = 0; i < bindings; ++i)
        b[i] = {i, kinds[i] == 't' ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    auto sinfo = vk_make<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
    sinfo.bindingCount = bindings;
    sinfo.pBindings = b.data();
    VK_CHECK(vkCreateDescriptorSetLayout(dev, &sinfo, nullptr, &p->set_layout));

    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
    auto linfo = vk_make<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
    linfo.setLayoutCount = 1;
    linfo.pSetLayouts = &p->set_layout;
    linfo.pushConstantRangeCount = push_size ? 1 : 0;
    linfo.pPushConstantRanges = &range;
    VK_CHECK(vkCreatePipelineLayout(dev, &linfo, nullptr, &p->layout));

    auto minfo = vk_make<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
    minfo.codeSize = spirv.size_bytes();
    minfo.pCode = spirv.data();
    VkShaderModule module = VK_NULL_HANDLE;
    VK_CHECK(vkCreateShaderModule(dev, &minfo, nullptr, &module));

    std::vector<VkSpecializationMapEntry> entries(constants.size());
    for (uint32_t i = 0; i < constants.size(); ++i) entries[i] = {i, i * 4u, 4};
    VkSpecializationInfo spec{uint32_t(entries.size()), entries.data(), constants.size() * 4, constants.data()};
    auto cinfo = vk_make<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
    cinfo.stage = vk_make<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
    cinfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    cinfo.stage.module = module;
    cinfo.stage.pName = "main";
    cinfo.stage.pSpecializationInfo = constants.empty() ? nullptr : &spec;
    cinfo.layout = p->layout;
    const VkResult r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cinfo, nullptr, &p->pipeline);
    vkDestroyShaderModule(dev, module, nullptr);
    if (r != VK_SUCCESS) {
        vkDestroyPipelineLayout(dev, p->layout, nullptr);
        vkDestroyDescriptorSetLayout(dev, p->set_layout, nullptr);
        vk_fail(("vkCreateComputePipelines(" + name + ")").c_str(), r);
    }
    return *cache_.emplace(std::move(key), std::move(p)).first->second;
}

}  // namespace xl::gpu
