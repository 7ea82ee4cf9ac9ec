#include "app/vk_window_impl.hpp"
#include "app/vk_memory.hpp"

#define GLFW_INCLUDE_NONE
#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace xl {

namespace {

void check_vk(VkResult r) {
    if (r == VK_SUCCESS) return;
    std::fprintf(stderr, "extrapolab: Vulkan error %d in the app renderer\n", int(r));
    if (r < 0) throw std::runtime_error("Vulkan error " + std::to_string(int(r)));
}

}  // namespace


void VkWindow::Impl::destroy_capture() {
    if (!device) return;
    if (cap_fb) vkDestroyFramebuffer(device, cap_fb, nullptr);
    if (cap_view) vkDestroyImageView(device, cap_view, nullptr);
    if (cap_image) vkDestroyImage(device, cap_image, nullptr);
    if (cap_memory) vkFreeMemory(device, cap_memory, nullptr);
    if (cap_buffer) vkDestroyBuffer(device, cap_buffer, nullptr);
    if (cap_buffer_memory) vkFreeMemory(device, cap_buffer_memory, nullptr);
    if (cap_pass) vkDestroyRenderPass(device, cap_pass, nullptr);
    cap_fb = VK_NULL_HANDLE; cap_view = VK_NULL_HANDLE; cap_image = VK_NULL_HANDLE; cap_memory = VK_NULL_HANDLE;
    cap_buffer = VK_NULL_HANDLE; cap_buffer_memory = VK_NULL_HANDLE; cap_pass = VK_NULL_HANDLE;
    cap_w = cap_h = 0;
}

void VkWindow::Impl::create_capture(int w, int h) {
    destroy_capture();
    const VkFormat format = wd.SurfaceFormat.format;
    VkAttachmentDescription att{};
    att.format = format;
    att.samples = VK_SAMPLE_COUNT_1_BIT;
    att.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    att.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    att.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    att.finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.colorAttachmentCount = 1;
    sub.pColorAttachments = &ref;
    VkRenderPassCreateInfo rp{VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO};
    rp.attachmentCount = 1;
    rp.pAttachments = &att;
    rp.subpassCount = 1;
    rp.pSubpasses = &sub;
    check_vk(vkCreateRenderPass(device, &rp, nullptr, &cap_pass));

    VkImageCreateInfo ii{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ii.imageType = VK_IMAGE_TYPE_2D;
    ii.format = format;
    ii.extent = {uint32_t(w), uint32_t(h), 1};
    ii.mipLevels = 1;
    ii.arrayLayers = 1;
    ii.samples = VK_SAMPLE_COUNT_1_BIT;
    ii.tiling = VK_IMAGE_TILING_OPTIMAL;
    ii.usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    check_vk(vkCreateImage(device, &ii, nullptr, &cap_image));
    cap_memory = bind_new_memory(device, physical, cap_image, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vi.image = cap_image;
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = format;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    check_vk(vkCreateImageView(device, &vi, nullptr, &cap_view));
    VkFramebufferCreateInfo fi{VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO};
    fi.renderPass = cap_pass;
    fi.attachmentCount = 1;
    fi.pAttachments = &cap_view;
    fi.width = uint32_t(w);
    fi.height = uint32_t(h);
    fi.layers = 1;
    check_vk(vkCreateFramebuffer(device, &fi, nullptr, &cap_fb));
    VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    bi.size = VkDeviceSize(w) * h * 4;
    bi.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    check_vk(vkCreateBuffer(device, &bi, nullptr, &cap_buffer));
    cap_buffer_memory = bind_new_memory(device, physical, cap_buffer,
                                        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    cap_w = w;
    cap_h = h;
}

void VkWindow::Impl::capture_frame(VkCommandBuffer cmd, ImDrawData* dd) {
    if (cap_w != wd.Width || cap_h != wd.Height) create_capture(wd.Width, wd.Height);
    VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    rb.renderPass = cap_pass;
    rb.framebuffer = cap_fb;
    rb.renderArea.extent = {uint32_t(cap_w), uint32_t(cap_h)};
    rb.clearValueCount = 1;
    rb.pClearValues = &wd.ClearValue;
    vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
    ImGui_ImplVulkan_RenderDrawData(dd, cmd);   // same pipeline: the render passes are compatible
    vkCmdEndRenderPass(cmd);
    VkBufferImageCopy copy{};
    copy.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    copy.imageExtent = {uint32_t(cap_w), uint32_t(cap_h), 1};
    vkCmdCopyImageToBuffer(cmd, cap_image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, cap_buffer, 1, &copy);
}

VkWindow::VkWindow() : impl_(new Impl) {}
VkWindow::~VkWindow() {
    shutdown();
    delete impl_;
}

}  // namespace xl
