// A Hugging Face checkpoint on the Vulkan forward pass: the tiny Gemma 3 folder (BF16
// safetensors, norms + 1 at load, local and global layers, GeGLU, sandwich norms) gives the
// per-token losses of its GGUF twin on the CPU reference, within the GPU-vs-CPU tolerance of the
// architecture tests (2e-4).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/forward/vulkan_forward.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/hf_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

TEST_CASE("gpu forward: the Gemma 3 HF folder equals its GGUF twin on the CPU reference") {
    const std::string dir = std::string(XL_SOURCE_DIR) + "/tests/data/hf/";
    const xl::Model hf = xl::load_hf_model(dir + "gemma3");
    const xl::Model gg = xl::load_gguf_model(dir + "gemma3.gguf");
    const int n = 64;
    xl::ForwardRequest req;
    for (int i = 0; i < n; ++i) req.tokens.push_back((i * 37 + 11) % hf.config.vocab_size);
    for (const std::string method : {"none", "yarn:s=4,orig=16,layers=global"}) {
        CAPTURE(method);
        req.plan = xl::make_plan(xl::parse_method_spec(method), hf.config, n);
        xl::VulkanForward gpu(hf, xl::test::gpu_context());
        xl::CpuForward cpu(gg);
        xl::ForwardRequest creq = req;
        creq.plan = xl::make_plan(xl::parse_method_spec(method), gg.config, n);
        const auto g = gpu.run(req), c = cpu.run(creq);
        REQUIRE(g.nll.size() == c.nll.size());
        double worst = 0;
        for (size_t i = 0; i < g.nll.size(); ++i) worst = std::max(worst, std::fabs(double(g.nll[i]) - double(c.nll[i])));
        MESSAGE(method << ": max |Δ nll| Vulkan(HF folder) vs CPU(GGUF twin) = " << worst << " on " << gpu.device_name());
        CHECK(worst < 2e-4);
        xl::test::check_validation_clean(gpu.context());
    }
}
