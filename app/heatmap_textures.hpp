// Heatmaps drawn from GPU textures. A plot asks for its heatmap's cells (colour-mapped once per
// content change, cached by a hash of values + colour settings) to be drawn into a screen
// rectangle; the request becomes an ImDrawList callback that binds this renderer's pipeline
// (shaders app/shaders/heatmap.*: one quad, nearest sampling, alpha for masked cells) and then
// lets Dear ImGui restore its own state. Textures unused for a few frames are released.
//
//   HeatmapTextures tex;  tex.init(device, physical, render_pass);   // after the ImGui backend
//   ImGui::GetIO().UserData = &tex;                                  // found by draw_heatmap_texture
//   per frame: tex.begin_frame(); ...UI...; tex.record_uploads(cb); tex.set_command_buffer(cb);
//              ImGui_ImplVulkan_RenderDrawData(...)
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include <imgui.h>

#include "core/io/figure_spec.hpp"

namespace xl {

class HeatmapTextures {
public:
    void init(VkDevice device, VkPhysicalDevice physical, VkRenderPass render_pass);
    void shutdown();
    void begin_frame();
    // Copies of new textures' pixels into their images (before the render pass).
    void record_uploads(VkCommandBuffer cb);
    void set_command_buffer(VkCommandBuffer cb) { cb_ = cb; }
    // Adds to `dl` the drawing of cells [c0,c1) x [r0,r1) of `h` into the screen rectangle.
    void draw(ImDrawList* dl, const Heatmap& h, ImVec2 min, ImVec2 max, float c0, float c1, float r0, float r1);
    size_t texture_count() const { return textures_.size(); }

private:
    struct Texture {
        VkImage image = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkImageView view = VK_NULL_HANDLE;
        VkDescriptorSet set = VK_NULL_HANDLE;
        VkBuffer staging = VK_NULL_HANDLE;
        VkDeviceMemory staging_memory = VK_NULL_HANDLE;
        int width = 0, height = 0;
        bool uploaded = false;
        uint64_t last_used = 0;
    };
    struct DrawRecord {
        HeatmapTextures* owner;
        VkDescriptorSet set;
        float rect[4], uv[4];   // screen pixels; texture coordinates
    };
    static void draw_callback(const ImDrawList* list, const ImDrawCmd* cmd);
    Texture& texture_for(const Heatmap& h);
    void create_texture(Texture& t, const std::vector<uint8_t>& rgba, int w, int h);
    void destroy_texture(Texture& t);

    VkDevice device_ = VK_NULL_HANDLE;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkSampler sampler_ = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
    VkDescriptorPool pool_ = VK_NULL_HANDLE;
    VkPipelineLayout layout_ = VK_NULL_HANDLE;
    VkPipeline pipeline_ = VK_NULL_HANDLE;
    VkCommandBuffer cb_ = VK_NULL_HANDLE;
    uint64_t frame_ = 0;
    std::unordered_map<uint64_t, Texture> textures_;  // by content hash
    std::deque<DrawRecord> draws_;                      // this frame's callbacks (stable addresses)
};

// Draws through the HeatmapTextures registered in ImGui::GetIO().UserData; false when none is
// (the caller then falls back to rectangles).
bool draw_heatmap_texture(ImDrawList* dl, const Heatmap& h, ImVec2 min, ImVec2 max, float c0, float c1, float r0, float r1);

}  // namespace xl
