// Per-run resources are reused: after a warm-up, repeated recorder submits and forward passes
// allocate no device memory (vkAllocateMemory of host-visible memory costs milliseconds on
// discrete GPUs), and results of the reused staging/readback arenas stay exact.
#include <doctest/doctest.h>

#include "core/forward/vulkan_forward.hpp"
#include "core/gpu/context.hpp"
#include "core/gpu/recorder.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

TEST_CASE("gpu reuse: a freed standard block is kept as a spare and reused") {
    auto ctx = test::gpu_context();
    { gpu::Buffer warm(*ctx, 4096, gpu::BufferKind::Staging); }
    const uint64_t blocks = ctx->memory().blocks_allocated();
    for (int i = 0; i < 3; ++i) {
        gpu::Buffer b(*ctx, 4096 + 512 * uint64_t(i), gpu::BufferKind::Staging);
        CHECK(b.mapped() != nullptr);
    }
    CHECK(ctx->memory().blocks_allocated() == blocks);
}

TEST_CASE("gpu reuse: recorder transfers across submits are exact and allocate once") {
    auto ctx = test::gpu_context();
    gpu::Recorder rec(*ctx);
    gpu::Buffer dst(*ctx, 64 * 1024);
    uint64_t blocks = 0;
    for (int run = 0; run < 4; ++run) {
        // Several uploads and downloads per submit, each at its own arena offset.
        const std::vector<float> a = test::random_floats(1000, 10 + run), b = test::random_floats(3000, 20 + run);
        rec.upload(dst, a.data(), a.size() * 4);
        rec.upload(dst, b.data(), b.size() * 4, 8192);
        std::vector<float> a2(a.size()), b2(b.size());
        rec.download(dst, a2.data(), a2.size() * 4);
        rec.download(dst, b2.data(), b2.size() * 4, 8192);
        rec.submit();
        CHECK(a2 == a);
        CHECK(b2 == b);
        if (run == 1) blocks = ctx->memory().blocks_allocated();
        if (run > 1) CHECK(ctx->memory().blocks_allocated() == blocks);
    }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu reuse: repeated forward passes allocate no memory and agree") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    auto ctx = test::gpu_context();
    VulkanForward f(model, ctx);
    auto request = [&](int n) {
        ForwardRequest r;
        for (int i = 0; i < n; ++i) r.tokens.push_back((i * 37 + 11) % model.config.vocab_size);
        r.plan = make_plan(parse_method_spec("none"), model.config, n);
        return r;
    };
    const ForwardResult first = f.run(request(300));
    (void)f.run(request(200));  // a shorter run fits the same capacity
    const uint64_t blocks = ctx->memory().blocks_allocated();
    const uint64_t in_use = ctx->memory().bytes_in_use();
    const ForwardResult again = f.run(request(300));
    CHECK(ctx->memory().blocks_allocated() == blocks);
    CHECK(ctx->memory().bytes_in_use() == in_use);
    REQUIRE(again.nll.size() == first.nll.size());
    CHECK(again.nll == first.nll);
    test::check_validation_clean(*ctx);
}
