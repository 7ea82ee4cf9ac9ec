// Private state of VkWindow, shared by vk_window.cpp (capture target) and vk_window_setup.cpp.
#pragma once
#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include <stdexcept>

#include "app/heatmap_textures.hpp"
#include "app/vk_window.hpp"

struct GLFWwindow;

namespace xl {

struct VkWindow::Impl {
    GLFWwindow* window = nullptr;
    VkInstance instance = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    uint32_t queue_family = 0;
    VkQueue queue = VK_NULL_HANDLE;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    ImGui_ImplVulkanH_Window wd;
    bool rebuild = false;
    bool imgui_ready = false;
    HeatmapTextures heatmaps;          // plot heatmaps as textures (ImGui::GetIO().UserData)
    // Offscreen capture target.
    VkRenderPass cap_pass = VK_NULL_HANDLE;
    VkImage cap_image = VK_NULL_HANDLE;
    VkDeviceMemory cap_memory = VK_NULL_HANDLE;
    VkImageView cap_view = VK_NULL_HANDLE;
    VkFramebuffer cap_fb = VK_NULL_HANDLE;
    VkBuffer cap_buffer = VK_NULL_HANDLE;
    VkDeviceMemory cap_buffer_memory = VK_NULL_HANDLE;
    int cap_w = 0, cap_h = 0;

    void destroy_capture();
    void create_capture(int w, int h);
    void capture_frame(VkCommandBuffer cmd, ImDrawData* dd);
};

}  // namespace xl
