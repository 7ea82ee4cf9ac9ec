// The app's Vulkan presentation: instance, device, GLFW surface and swapchain (through Dear
// ImGui's ImGui_ImplVulkanH helpers), the ImGui Vulkan backend, and an offscreen copy of a frame
// for screenshots (a render pass compatible with the swapchain's, so ImGui's pipeline is reused).
//
//   VkWindow vw;
//   if (!vw.init(window, device_index, &error)) ...;
//   vw.begin_frame(); ...build the UI...; vw.render(ImGui::GetDrawData(), /*capture*/ false);
//   vw.render(ImGui::GetDrawData(), true); vw.capture_rgba();   // RGBA8 of that frame
#pragma once
#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

struct GLFWwindow;
struct ImDrawData;

namespace xl {

class VkWindow {
public:
    VkWindow();
    ~VkWindow();
    bool init(GLFWwindow* window, int device_index, std::string* error);
    void begin_frame();   // before the UI is built: releases unused heatmap textures
    void render(ImDrawData* draw_data, bool capture);
    void shutdown();
    const std::vector<uint8_t>& capture_rgba() const { return capture_; }
    int capture_width() const { return capture_w_; }
    int capture_height() const { return capture_h_; }
    std::string device_name() const { return device_name_; }

private:
    struct Impl;
    Impl* impl_;
    std::vector<uint8_t> capture_;
    int capture_w_ = 0, capture_h_ = 0;
    std::string device_name_;
};

}  // namespace xl
