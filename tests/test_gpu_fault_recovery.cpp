// A forward pass that fails half-way (device memory exhausted while growing the activations, a
// submission that reports a lost device) leaves the Vulkan forward usable: the next pass gives
// the same results as before the fault. Before, a failed growth kept the new capacity with some
// buffers missing and the next pass crashed in Recorder::upload (the app's segfault under
// XL_TEST_DEVICE_MEMORY_MB=1), and a failed submission kept its deferred downloads, which the
// next submit ran into the freed results of the failed pass.
#include <doctest/doctest.h>

#include <cstdlib>

#include "core/error.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/gpu/context.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

ForwardRequest request(const Model& model, int n) {
    ForwardRequest r;
    for (int i = 0; i < n; ++i) r.tokens.push_back((i * 37 + 11) % model.config.vocab_size);
    r.plan = make_plan(parse_method_spec("none"), model.config, n);
    return r;
}

// f.run(r) with `var` set to `value`; the error kind it throws (or "none").
std::string kind_of_failure(VulkanForward& f, const ForwardRequest& r, const char* var, const char* value) {
    setenv(var, value, 1);
    std::string kind = "none";
    try {
        (void)f.run(r);
    } catch (const Error& e) {
        kind = to_string(e.kind());
    }
    unsetenv(var);
    return kind;
}

}  // namespace

TEST_CASE("gpu fault recovery: device memory running out while the activations grow") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    VulkanForward f(model, test::gpu_context());
    const ForwardResult before = f.run(request(model, 64));
    // 1024 tokens need a 2 MiB logits buffer: larger than the 1 MiB the injection leaves.
    CHECK(kind_of_failure(f, request(model, 1024), "XL_TEST_DEVICE_MEMORY_MB", "1") == "out of memory");
    const ForwardResult after = f.run(request(model, 64));
    REQUIRE(after.nll.size() == before.nll.size());
    CHECK(after.nll == before.nll);
    CHECK(f.run(request(model, 1024)).nll.size() == 1023);  // and the larger pass now fits
}

TEST_CASE("gpu fault recovery: a submission that reports a lost device") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    VulkanForward f(model, test::gpu_context());
    const ForwardResult before = f.run(request(model, 96));
    CHECK(kind_of_failure(f, request(model, 96), "XL_TEST_DEVICE_LOST_AFTER", "0") == "device error");
    const ForwardResult after = f.run(request(model, 96));
    REQUIRE(after.nll.size() == before.nll.size());
    CHECK(after.nll == before.nll);
}
