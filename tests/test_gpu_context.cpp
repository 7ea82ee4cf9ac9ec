// The Vulkan context: a device is chosen and named, validation messages are recorded (so that
// the other GPU tests' "no validation messages" checks mean something), errors are typed.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/recorder.hpp"
#include "core/gpu/vk_check.hpp"
#include "shaders/common/push_constants.h"
#include "tests/test_gpu_util.hpp"

using namespace xl;

TEST_CASE("gpu context: a named device, validation enabled and recording") {
    auto ctx = test::gpu_context();
    CHECK(!ctx->device_name().empty());
    CHECK(ctx->device_index() >= 0);
    CHECK(ctx->device_index() < int(gpu::Context::list_devices().size()));
    REQUIRE(ctx->validation_enabled());
    // A deliberately invalid call (size 0) must produce a recorded validation message.
    ctx->clear_validation_messages();
    auto info = gpu::vk_make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
    info.size = 0;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    VkBuffer b = VK_NULL_HANDLE;
    if (vkCreateBuffer(ctx->device(), &info, nullptr, &b) == VK_SUCCESS && b) vkDestroyBuffer(ctx->device(), b, nullptr);
    CHECK(!ctx->validation_messages().empty());
    ctx->clear_validation_messages();
}

TEST_CASE("gpu context: errors are typed") {
    CHECK_THROWS_AS(gpu::Context::create(1000), Error);
    try {
        gpu::vk_fail("vkAllocateMemory(...)", VK_ERROR_OUT_OF_DEVICE_MEMORY);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::OutOfMemory);
        CHECK(std::string(e.what()).find("VK_ERROR_OUT_OF_DEVICE_MEMORY") != std::string::npos);
    }
    try {
        gpu::vk_fail("vkQueueSubmit(...)", VK_ERROR_DEVICE_LOST);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Device);
        CHECK(std::string(e.what()).find("vkQueueSubmit") != std::string::npos);
    }
}

TEST_CASE("gpu recorder: automatic barriers and timestamps") {
    auto ctx = test::gpu_context();
    const int count = 300;
    gpu::Buffer a = test::to_gpu(test::random_floats(count, 1)), b = test::to_gpu(test::random_floats(count, 2));
    gpu::Recorder rec(*ctx);
    const auto& add = ctx->pipelines().get("add", "ss", 4);
    const xl::pc::Elementwise pc{count};
    rec.timestamp("start");
    rec.dispatch(add, {gpu::out(a), gpu::in(b)}, pc, 2);  // a += b
    rec.dispatch(add, {gpu::out(b), gpu::in(b)}, pc, 2);  // b += b: WAR on b
    rec.dispatch(add, {gpu::out(a), gpu::in(b)}, pc, 2);  // RAW on a and b
    rec.timestamp("adds");
    rec.submit();
    CHECK(rec.dispatch_count() == 3);
    CHECK(rec.barrier_count() == 2);
    if (ctx->timestamps_supported()) {
        REQUIRE(rec.timings().size() == 1);
        CHECK(rec.timings()[0].second >= 0.0);
    }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu memory: the sub-allocator reuses freed ranges and returns empty blocks") {
    auto ctx = test::gpu_context();
    const uint64_t before = ctx->memory().bytes_in_use();
    {
        std::vector<gpu::Buffer> buffers;
        for (int i = 0; i < 50; ++i) buffers.emplace_back(*ctx, 1000 + 37 * i);
        CHECK(ctx->memory().bytes_in_use() >= before + 50 * 1000);
        for (int i = 0; i < 50; i += 2) buffers[size_t(i)] = gpu::Buffer();  // free every other one
        gpu::Buffer big(*ctx, uint64_t(8) << 20);
        const std::vector<float> data = test::random_floats(1000, 5);
        gpu::upload(*ctx, big, data.data(), data.size() * 4, 4096);
        std::vector<float> back(data.size());
        gpu::download(*ctx, big, back.data(), back.size() * 4, 4096);
        CHECK(back == data);
    }
    CHECK(ctx->memory().bytes_in_use() == before);
    test::check_validation_clean(*ctx);
}
