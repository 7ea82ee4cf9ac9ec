#include "core/gpu/context.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/gpu/memory.hpp"
#include "core/gpu/pipeline.hpp"
#include "core/gpu/vk_check.hpp"

namespace xl::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool want_validation(int requested) {
    if (requested >= 0) return requested != 0;
    if (const char* env = std::getenv("XL_VULKAN_VALIDATION")) return std::strcmp(env, "0") != 0;
#ifdef NDEBUG
    return false;
#else
    return true;
#endif
}

bool layer_available(const char* name) {
    uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const auto& l : layers)
        if (std::strcmp(l.layerName, name) == 0) return true;
    return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_debug_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                VkDebugUtilsMessageTypeFlagsEXT,
                                                const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
    if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT && data && data->pMessage)
        static_cast<Context*>(user)->record_message(data->pMessage);
    return VK_FALSE;
}

// Automatic choice: discrete GPU, else integrated, else anything else (CPU/lavapipe last).
int type_rank(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
        default: return 0;
    }
}

int compute_queue_family(VkPhysicalDevice pd) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, nullptr);
    std::vector<VkQueueFamilyProperties> fams(count);
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, fams.data());
    for (uint32_t i = 0; i < count; ++i)  // prefer a compute queue with timestamps
        if ((fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && fams[i].timestampValidBits > 0) return int(i);
    for (uint32_t i = 0; i < count; ++i)
        if (fams[i].queueFlags & VK_QUEUE_COMPUTE_BIT) return int(i);
    return -1;
}

VkInstance make_instance(bool validation) {
    auto app = vk_make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
    app.pApplicationName = "extrapolab";
    app.apiVersion = VK_API_VERSION_1_2;
    auto info = vk_make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
    info.pApplicationInfo = &app;
    const char* ext = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
    if (validation) {
        info.enabledLayerCount = 1;
        info.ppEnabledLayerNames = &kValidationLayer;
        info.enabledExtensionCount = 1;
        info.ppEnabledExtensionNames = &ext;
    }
    VkInstance instance = VK_NULL_HANDLE;
    VK_CHECK(vkCreateInstance(&info, nullptr, &instance));
    return instance;
}

// VK_NV_cooperative_matrix with a subgroup-scope 16×16×16 shape of fp16 A/B and fp32 C/D, fp16
// shader arithmetic and 32-wide subgroups: what shaders/matmul_coop.comp is written for.
// XL_COOP=0 turns the fast path off (A/B comparisons on the same device).
struct CoopMatrixSupport {
    bool usable = false;
};
CoopMatrixSupport detect_coop_matrix(VkInstance instance, VkPhysicalDevice dev, uint32_t api_version) {
    CoopMatrixSupport out;
    if (const char* env = std::getenv("XL_COOP"); env && std::string(env) == "0") return out;
    if (api_version < VK_API_VERSION_1_2) return out;
    uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(dev, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> exts(count);
    vkEnumerateDeviceExtensionProperties(dev, nullptr, &count, exts.data());
    bool has_ext = false;
    for (const auto& e : exts) has_ext |= std::string(e.extensionName) == VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME;
    if (!has_ext) return out;
    auto f16 = vk_make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    auto cm = vk_make<VkPhysicalDeviceCooperativeMatrixFeaturesNV>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV);
    f16.pNext = &cm;
    auto f2 = vk_make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
    f2.pNext = &f16;
    vkGetPhysicalDeviceFeatures2(dev, &f2);
    auto sub = vk_make<VkPhysicalDeviceSubgroupProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
    auto p2 = vk_make<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
    p2.pNext = &sub;
    vkGetPhysicalDeviceProperties2(dev, &p2);
    if (!f16.shaderFloat16 || !cm.cooperativeMatrix || sub.subgroupSize != 32) return out;
    auto get = reinterpret_cast<PFN_vkGetPhysicalDeviceCooperativeMatrixPropertiesNV>(
        vkGetInstanceProcAddr(instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesNV"));
    if (!get) return out;
    uint32_t n = 0;
    get(dev, &n, nullptr);
    std::vector<VkCooperativeMatrixPropertiesNV> shapes(n);
    for (auto& s : shapes) s = vk_make<VkCooperativeMatrixPropertiesNV>(VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_NV);
    get(dev, &n, shapes.data());
    for (const auto& s : shapes)
        out.usable |= s.MSize == 16 && s.NSize == 16 && s.KSize == 16 && s.AType == VK_COMPONENT_TYPE_FLOAT16_NV &&
                      s.BType == VK_COMPONENT_TYPE_FLOAT16_NV && s.CType == VK_COMPONENT_TYPE_FLOAT32_NV &&
                      s.DType == VK_COMPONENT_TYPE_FLOAT32_NV && s.scope == VK_SCOPE_SUBGROUP_NV;
    return out;
}

std::vector<VkPhysicalDevice> physical_devices(VkInstance instance) {
    uint32_t count = 0;
    VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, nullptr));
    std::vector<VkPhysicalDevice> devs(count);
    if (count) VK_CHECK(vkEnumeratePhysicalDevices(instance, &count, devs.data()));
    return devs;
}

// Automatic choice among devices with a compute queue: highest type_rank, first on ties.
int best_device(const std::vector<VkPhysicalDevice>& devs) {
    int chosen = -1, best = -1;
    for (size_t i = 0; i < devs.size(); ++i) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(devs[i], &p);
        if (compute_queue_family(devs[i]) >= 0 && type_rank(p.deviceType) > best) {
            best = type_rank(p.deviceType);
            chosen = int(i);
        }
    }
    return chosen;
}

}  // namespace

int Context::automatic_device_index() {
    VkInstance instance = make_instance(false);
    const int chosen = best_device(physical_devices(instance));
    vkDestroyInstance(instance, nullptr);
    return chosen;
}

std::vector<DeviceInfo> Context::list_devices() {
    VkInstance instance = make_instance(false);
    std::vector<DeviceInfo> out;
    const auto devs = physical_devices(instance);
    for (size_t i = 0; i < devs.size(); ++i) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(devs[i], &p);
        out.push_back({int(i), p.deviceName, p.deviceType});
    }
    vkDestroyInstance(instance, nullptr);
    return out;
}

std::shared_ptr<Context> Context::create(int device_index, int validation) {
    std::shared_ptr<Context> ctx(new Context());
    ctx->init(device_index, want_validation(validation) && layer_available(kValidationLayer));
    return ctx;
}

void Context::init(int device_index, bool validation) {
    validation_ = validation;
    instance_ = make_instance(validation);
    if (validation) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        auto info = vk_make<VkDebugUtilsMessengerCreateInfoEXT>(VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT);
        info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
        info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
        info.pfnUserCallback = on_debug_message;
        info.pUserData = this;
        if (create) VK_CHECK(create(instance_, &info, nullptr, &messenger_));
    }

    const auto devs = physical_devices(instance_);
    if (devs.empty()) throw Error(ErrorKind::Device, "Vulkan", "no Vulkan device found (install mesa-vulkan-drivers for lavapipe)");
    int chosen = -1;
    if (device_index >= 0) {
        if (device_index >= int(devs.size()) || compute_queue_family(devs[size_t(device_index)]) < 0)
            throw Error(ErrorKind::BadArgument, "--device " + std::to_string(device_index),
                        "no such Vulkan compute device (" + std::to_string(devs.size()) + " found)");
        chosen = device_index;
    } else {
        chosen = best_device(devs);
        if (chosen < 0) throw Error(ErrorKind::Device, "Vulkan", "no device with a compute queue");
    }
    index_ = chosen;
    physical_ = devs[size_t(chosen)];
    vkGetPhysicalDeviceProperties(physical_, &props_);
    vkGetPhysicalDeviceMemoryProperties(physical_, &mem_props_);
    name_ = props_.deviceName;
    queue_family_ = uint32_t(compute_queue_family(physical_));
    timestamps_ = props_.limits.timestampComputeAndGraphics == VK_TRUE;

    // UMA: every device-local heap is also host-visible (lavapipe, integrated GPUs).
    uma_ = props_.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU || props_.deviceType == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU;
    bool host_visible_local = false;
    for (uint32_t i = 0; i < mem_props_.memoryTypeCount; ++i) {
        const auto f = mem_props_.memoryTypes[i].propertyFlags;
        if ((f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
            (f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT))
            host_visible_local = true;
    }
    uma_ = uma_ && host_visible_local;

    VkPhysicalDeviceFeatures supported{};
    vkGetPhysicalDeviceFeatures(physical_, &supported);
    VkPhysicalDeviceFeatures features{};
    fp64_ = supported.shaderFloat64 == VK_TRUE;
    features.shaderFloat64 = supported.shaderFloat64;
    const CoopMatrixSupport coop = detect_coop_matrix(instance_, physical_, props_.apiVersion);
    coop_matrix_ = coop.usable;
    auto f16 = vk_make<VkPhysicalDeviceShaderFloat16Int8Features>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    auto cm = vk_make<VkPhysicalDeviceCooperativeMatrixFeaturesNV>(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_NV);
    const char* coop_ext = VK_NV_COOPERATIVE_MATRIX_EXTENSION_NAME;
    const float priority = 1.f;
    auto qinfo = vk_make<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
    qinfo.queueFamilyIndex = queue_family_;
    qinfo.queueCount = 1;
    qinfo.pQueuePriorities = &priority;
    auto dinfo = vk_make<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
    dinfo.queueCreateInfoCount = 1;
    dinfo.pQueueCreateInfos = &qinfo;
    dinfo.pEnabledFeatures = &features;
    if (coop_matrix_) {  // fp16 arithmetic in shared memory + the NV cooperative-matrix types
        f16.shaderFloat16 = VK_TRUE;
        cm.cooperativeMatrix = VK_TRUE;
        f16.pNext = &cm;
        dinfo.pNext = &f16;
        dinfo.enabledExtensionCount = 1;
        dinfo.ppEnabledExtensionNames = &coop_ext;
    }
    VK_CHECK(vkCreateDevice(physical_, &dinfo, nullptr, &device_));
    vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    auto pinfo = vk_make<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
    pinfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pinfo.queueFamilyIndex = queue_family_;
    VK_CHECK(vkCreateCommandPool(device_, &pinfo, nullptr, &command_pool_));
    memory_ = std::make_unique<MemoryPool>(*this);
    pipelines_ = std::make_unique<PipelineCache>(*this);
}

Context::~Context() {
    if (device_) vkDeviceWaitIdle(device_);
    pipelines_.reset();
    memory_.reset();
    if (command_pool_) vkDestroyCommandPool(device_, command_pool_, nullptr);
    if (device_) vkDestroyDevice(device_, nullptr);
    if (messenger_) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy) destroy(instance_, messenger_, nullptr);
    }
    if (instance_) vkDestroyInstance(instance_, nullptr);
}

std::string Context::compute_path() const {
    const char* attn = std::getenv("XL_COOP_ATTN");  // "0": attention stays scalar (core/forward/gpu_ops.cpp)
    if (coop_matrix_ && attn && std::string(attn) == "0")
        return "matmul on cooperative matrices (VK_NV_cooperative_matrix, fp16 16x16x16, fp32 accumulation), "
               "attention on fp32 scalar tiles";
    return coop_matrix_ ? "matmul and attention on cooperative matrices (VK_NV_cooperative_matrix, fp16 16x16x16, fp32 accumulation)"
                        : "matmul on fp32 scalar tiles";
}

uint64_t Context::device_local_bytes() const {
    uint64_t best = 0;
    for (uint32_t i = 0; i < mem_props_.memoryHeapCount; ++i)
        if (mem_props_.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            best = std::max<uint64_t>(best, mem_props_.memoryHeaps[i].size);
    return best;
}

std::vector<std::string> Context::validation_messages() const {
    std::lock_guard<std::mutex> lock(messages_mutex_);
    return messages_;
}

void Context::clear_validation_messages() {
    std::lock_guard<std::mutex> lock(messages_mutex_);
    messages_.clear();
}

void Context::record_message(std::string message) {
    std::lock_guard<std::mutex> lock(messages_mutex_);
    messages_.push_back(std::move(message));
}

VkCommandBuffer Context::begin_one_shot() {
    auto ainfo = vk_make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
    ainfo.commandPool = command_pool_;
    ainfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ainfo.commandBufferCount = 1;
    VkCommandBuffer cb = VK_NULL_HANDLE;
    VK_CHECK(vkAllocateCommandBuffers(device_, &ainfo, &cb));
    auto binfo = vk_make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
    binfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    VK_CHECK(vkBeginCommandBuffer(cb, &binfo));
    return cb;
}

void Context::end_one_shot(VkCommandBuffer cb) {
    VK_CHECK(vkEndCommandBuffer(cb));
    auto submit = vk_make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cb;
    auto finfo = vk_make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
    VkFence fence = VK_NULL_HANDLE;
    VK_CHECK(vkCreateFence(device_, &finfo, nullptr, &fence));
    const VkResult r = vkQueueSubmit(queue_, 1, &submit, fence);
    const VkResult w = r == VK_SUCCESS ? vkWaitForFences(device_, 1, &fence, VK_TRUE, UINT64_MAX) : r;
    vkDestroyFence(device_, fence, nullptr);
    vkFreeCommandBuffers(device_, command_pool_, 1, &cb);
    VK_CHECK(r);
    VK_CHECK(w);
}

}  // namespace xl::gpu
