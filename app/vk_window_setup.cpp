// VkWindow: instance, device and swapchain set-up, per-frame rendering and shutdown.
#include "app/vk_window_impl.hpp"

#define GLFW_INCLUDE_NONE
#define GLFW_INCLUDE_VULKAN
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_vulkan.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace xl {

namespace {

void check(VkResult r) {
    if (r == VK_SUCCESS || r == VK_SUBOPTIMAL_KHR) return;
    std::fprintf(stderr, "extrapolab: Vulkan error %d in the app renderer\n", int(r));
    if (r < 0) throw std::runtime_error("Vulkan error " + std::to_string(int(r)));
}

VkPhysicalDevice choose_device(VkInstance inst, int index, std::string& name) {
    uint32_t n = 0;
    vkEnumeratePhysicalDevices(inst, &n, nullptr);
    std::vector<VkPhysicalDevice> devs(n);
    vkEnumeratePhysicalDevices(inst, &n, devs.data());
    if (devs.empty()) return VK_NULL_HANDLE;
    VkPhysicalDevice best = devs[0];
    if (index >= 0 && index < int(n)) best = devs[size_t(index)];
    else {
        // Discrete, else integrated, else anything (CPU): the same order as the compute core.
        int best_rank = 99;
        for (VkPhysicalDevice d : devs) {
            VkPhysicalDeviceProperties p;
            vkGetPhysicalDeviceProperties(d, &p);
            const int rank = p.deviceType == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ? 0
                             : p.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ? 1 : 2;
            if (rank < best_rank) { best_rank = rank; best = d; }
        }
    }
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(best, &p);
    name = p.deviceName;
    return best;
}

}  // namespace

bool VkWindow::init(GLFWwindow* window, int device_index, std::string* error) {
    Impl& s = *impl_;
    s.window = window;
    try {
        uint32_t ext_count = 0;
        const char** exts = glfwGetRequiredInstanceExtensions(&ext_count);
        if (!exts) throw std::runtime_error("GLFW found no Vulkan surface support");
        VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
        app.pApplicationName = "extrapolab";
        app.apiVersion = VK_API_VERSION_1_1;
        VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
        ici.pApplicationInfo = &app;
        ici.enabledExtensionCount = ext_count;
        ici.ppEnabledExtensionNames = exts;
        check(vkCreateInstance(&ici, nullptr, &s.instance));
        s.physical = choose_device(s.instance, device_index, device_name_);
        if (!s.physical) throw std::runtime_error("no Vulkan device");
        VkSurfaceKHR surface;
        check(glfwCreateWindowSurface(s.instance, window, nullptr, &surface));
        uint32_t qn = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(s.physical, &qn, nullptr);
        std::vector<VkQueueFamilyProperties> qf(qn);
        vkGetPhysicalDeviceQueueFamilyProperties(s.physical, &qn, qf.data());
        s.queue_family = UINT32_MAX;
        for (uint32_t i = 0; i < qn; ++i) {
            VkBool32 present = VK_FALSE;
            vkGetPhysicalDeviceSurfaceSupportKHR(s.physical, i, surface, &present);
            if ((qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT) && present) { s.queue_family = i; break; }
        }
        if (s.queue_family == UINT32_MAX) throw std::runtime_error("the Vulkan device cannot present to this window");
        const float prio = 1.f;
        VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
        qci.queueFamilyIndex = s.queue_family;
        qci.queueCount = 1;
        qci.pQueuePriorities = &prio;
        const char* dev_ext[] = {VK_KHR_SWAPCHAIN_EXTENSION_NAME};
        VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
        dci.queueCreateInfoCount = 1;
        dci.pQueueCreateInfos = &qci;
        dci.enabledExtensionCount = 1;
        dci.ppEnabledExtensionNames = dev_ext;
        check(vkCreateDevice(s.physical, &dci, nullptr, &s.device));
        vkGetDeviceQueue(s.device, s.queue_family, 0, &s.queue);
        VkDescriptorPoolSize ps{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 64};
        VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
        pci.flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT;
        pci.maxSets = 64;
        pci.poolSizeCount = 1;
        pci.pPoolSizes = &ps;
        check(vkCreateDescriptorPool(s.device, &pci, nullptr, &s.pool));

        s.wd.Surface = surface;
        const VkFormat formats[] = {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM};
        s.wd.SurfaceFormat = ImGui_ImplVulkanH_SelectSurfaceFormat(s.physical, surface, formats, 2, VK_COLORSPACE_SRGB_NONLINEAR_KHR);
        const VkPresentModeKHR modes[] = {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR, VK_PRESENT_MODE_FIFO_KHR};
        s.wd.PresentMode = ImGui_ImplVulkanH_SelectPresentMode(s.physical, surface, modes, 3);
        int w, h;
        glfwGetFramebufferSize(window, &w, &h);
        // The main window draws no background: the clear colour is the theme's window colour,
        // which saves a full-screen blended quad per frame (the CPU driver pays per pixel).
        const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
        s.wd.ClearValue.color = {{bg.x, bg.y, bg.z, 1.f}};
        ImGui_ImplVulkanH_CreateOrResizeWindow(s.instance, s.physical, s.device, &s.wd, s.queue_family, nullptr, w, h, 2);

        ImGui_ImplVulkan_InitInfo info{};
        info.Instance = s.instance;
        info.PhysicalDevice = s.physical;
        info.Device = s.device;
        info.QueueFamily = s.queue_family;
        info.Queue = s.queue;
        info.DescriptorPool = s.pool;
        info.MinImageCount = 2;
        info.ImageCount = s.wd.ImageCount;
        info.MSAASamples = VK_SAMPLE_COUNT_1_BIT;
        info.CheckVkResultFn = [](VkResult r) { check(r); };
        ImGui_ImplVulkan_Init(&info, s.wd.RenderPass);
        s.imgui_ready = true;
        s.heatmaps.init(s.device, s.physical, s.wd.RenderPass);
        ImGui::GetIO().UserData = &s.heatmaps;
        // Upload the font atlas with the first frame's command buffer.
        ImGui_ImplVulkanH_Frame& fd = s.wd.Frames[0];
        check(vkResetCommandPool(s.device, fd.CommandPool, 0));
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        check(vkBeginCommandBuffer(fd.CommandBuffer, &bi));
        ImGui_ImplVulkan_CreateFontsTexture(fd.CommandBuffer);
        check(vkEndCommandBuffer(fd.CommandBuffer));
        VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
        si.commandBufferCount = 1;
        si.pCommandBuffers = &fd.CommandBuffer;
        check(vkQueueSubmit(s.queue, 1, &si, VK_NULL_HANDLE));
        check(vkDeviceWaitIdle(s.device));
        ImGui_ImplVulkan_DestroyFontUploadObjects();
        return true;
    } catch (const std::exception& e) {
        if (error) *error = e.what();
        return false;
    }
}

void VkWindow::begin_frame() { impl_->heatmaps.begin_frame(); }

void VkWindow::render(ImDrawData* dd, bool capture) {
    Impl& s = *impl_;
    int w, h;
    glfwGetFramebufferSize(s.window, &w, &h);
    if (w <= 0 || h <= 0) return;
    if (s.rebuild || w != s.wd.Width || h != s.wd.Height) {
        ImGui_ImplVulkan_SetMinImageCount(2);
        ImGui_ImplVulkanH_CreateOrResizeWindow(s.instance, s.physical, s.device, &s.wd, s.queue_family, nullptr, w, h, 2);
        s.wd.FrameIndex = 0;
        s.rebuild = false;
    }
    if (capture) check(vkDeviceWaitIdle(s.device));
    VkSemaphore acquired = s.wd.FrameSemaphores[s.wd.SemaphoreIndex].ImageAcquiredSemaphore;
    VkSemaphore done = s.wd.FrameSemaphores[s.wd.SemaphoreIndex].RenderCompleteSemaphore;
    VkResult r = vkAcquireNextImageKHR(s.device, s.wd.Swapchain, UINT64_MAX, acquired, VK_NULL_HANDLE, &s.wd.FrameIndex);
    if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) { s.rebuild = true; if (r == VK_ERROR_OUT_OF_DATE_KHR) return; }
    else check(r);
    ImGui_ImplVulkanH_Frame& fd = s.wd.Frames[s.wd.FrameIndex];
    check(vkWaitForFences(s.device, 1, &fd.Fence, VK_TRUE, UINT64_MAX));
    check(vkResetFences(s.device, 1, &fd.Fence));
    check(vkResetCommandPool(s.device, fd.CommandPool, 0));
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check(vkBeginCommandBuffer(fd.CommandBuffer, &bi));
    s.heatmaps.record_uploads(fd.CommandBuffer);
    s.heatmaps.set_command_buffer(fd.CommandBuffer);
    VkRenderPassBeginInfo rb{VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO};
    rb.renderPass = s.wd.RenderPass;
    rb.framebuffer = fd.Framebuffer;
    rb.renderArea.extent = {uint32_t(s.wd.Width), uint32_t(s.wd.Height)};
    rb.clearValueCount = 1;
    rb.pClearValues = &s.wd.ClearValue;
    vkCmdBeginRenderPass(fd.CommandBuffer, &rb, VK_SUBPASS_CONTENTS_INLINE);
    ImGui_ImplVulkan_RenderDrawData(dd, fd.CommandBuffer);
    vkCmdEndRenderPass(fd.CommandBuffer);
    if (capture) s.capture_frame(fd.CommandBuffer, dd);
    check(vkEndCommandBuffer(fd.CommandBuffer));
    VkPipelineStageFlags stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    si.waitSemaphoreCount = 1;
    si.pWaitSemaphores = &acquired;
    si.pWaitDstStageMask = &stage;
    si.commandBufferCount = 1;
    si.pCommandBuffers = &fd.CommandBuffer;
    si.signalSemaphoreCount = 1;
    si.pSignalSemaphores = &done;
    check(vkQueueSubmit(s.queue, 1, &si, fd.Fence));
    if (capture) {
        check(vkWaitForFences(s.device, 1, &fd.Fence, VK_TRUE, UINT64_MAX));
        void* mapped = nullptr;
        check(vkMapMemory(s.device, s.cap_buffer_memory, 0, VK_WHOLE_SIZE, 0, &mapped));
        const uint8_t* src = static_cast<const uint8_t*>(mapped);
        capture_w_ = s.cap_w;
        capture_h_ = s.cap_h;
        capture_.resize(size_t(s.cap_w) * s.cap_h * 4);
        const bool bgra = s.wd.SurfaceFormat.format == VK_FORMAT_B8G8R8A8_UNORM;
        for (size_t i = 0; i < size_t(s.cap_w) * s.cap_h; ++i) {
            capture_[4 * i + 0] = src[4 * i + (bgra ? 2 : 0)];
            capture_[4 * i + 1] = src[4 * i + 1];
            capture_[4 * i + 2] = src[4 * i + (bgra ? 0 : 2)];
            capture_[4 * i + 3] = 255;
        }
        vkUnmapMemory(s.device, s.cap_buffer_memory);
    }
    VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
    pi.waitSemaphoreCount = 1;
    pi.pWaitSemaphores = &done;
    pi.swapchainCount = 1;
    pi.pSwapchains = &s.wd.Swapchain;
    pi.pImageIndices = &s.wd.FrameIndex;
    r = vkQueuePresentKHR(s.queue, &pi);
    if (r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_SUBOPTIMAL_KHR) s.rebuild = true;
    else check(r);
    s.wd.SemaphoreIndex = (s.wd.SemaphoreIndex + 1) % s.wd.ImageCount;
}

void VkWindow::shutdown() {
    Impl& s = *impl_;
    if (!s.device) return;
    vkDeviceWaitIdle(s.device);
    s.destroy_capture();
    ImGui::GetIO().UserData = nullptr;
    s.heatmaps.shutdown();
    if (s.imgui_ready) ImGui_ImplVulkan_Shutdown();
    s.imgui_ready = false;
    ImGui_ImplVulkanH_DestroyWindow(s.instance, s.device, &s.wd, nullptr);
    vkDestroyDescriptorPool(s.device, s.pool, nullptr);
    vkDestroyDevice(s.device, nullptr);
    vkDestroyInstance(s.instance, nullptr);
    s.device = VK_NULL_HANDLE;
    s.instance = VK_NULL_HANDLE;
}

}  // namespace xl
