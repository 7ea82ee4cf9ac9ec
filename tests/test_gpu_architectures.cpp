// The Vulkan forward pass vs the CPU reference on a random-weight GGUF of every architecture
// (llama + rope_freqs + window, qwen2 biases, qwen3 q/k norms, gemma3 sandwich norms / GeGLU /
// local+global kinds, phi3 fused tensors + partial rotary + LongRoPE): per-token NLL within
// 2e-4 nats (F32 weights; the GPU accumulates in float), under plain RoPE and a scaled method.
#include <doctest/doctest.h>

#include <cmath>

#include "arch_models_for_tests.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

ForwardRequest request(const Model& m, int n, const std::string& method) {
    ForwardRequest r;
    for (int i = 0; i < n; ++i) r.tokens.push_back((i * 53 + 11) % m.config.vocab_size);
    r.plan = make_plan(parse_method_spec(method), m.config, n);
    r.want_last_logits = true;
    return r;
}

}  // namespace

TEST_CASE("gpu architectures: every architecture's NLL equals the CPU reference") {
    test::TempDir tmp;
    for (const std::string& arch : test::all_architectures()) {
        const Model m = load_gguf_model(test::ArchModel{arch}.write(tmp));
        VulkanForward gpu(m, test::gpu_context());
        CpuForward cpu(m);
        const std::string scaled = arch == "phi3" ? "longrope" : "yarn:s=4,orig=64";
        for (const std::string& method : {std::string("none"), scaled}) {
            CAPTURE(arch);
            CAPTURE(method);
            const ForwardRequest r = request(m, 150, method);  // past gemma3's window (8) and phi3's original context
            const ForwardResult g = gpu.run(r), c = cpu.run(r);
            REQUIRE(g.nll.size() == c.nll.size());
            const double worst = test::max_abs_diff(g.nll, c.nll);
            double mean = 0;
            for (float x : c.nll) mean += x / double(c.nll.size());
            MESSAGE(arch << " " << method << ": max |Δ nll| " << worst << ", mean nll " << mean);
            CHECK(worst < 2e-4);
            CHECK(test::max_abs_diff(g.last_logits, c.last_logits) < 2e-4);
            CHECK(mean > 1.0);  // random weights: neither degenerate nor NaN
            CHECK(mean < 50.0);  // gemma3: embeddings × √dim and a tied classifier give sharp random logits
        }
    }
    test::check_validation_clean(*test::gpu_context());
}

TEST_CASE("gpu architectures: gemma3's layers= choice changes the losses, the same on GPU and CPU") {
    test::TempDir tmp;
    const Model m = load_gguf_model(test::ArchModel{"gemma3"}.write(tmp));
    VulkanForward gpu(m, test::gpu_context());
    CpuForward cpu(m);
    const ForwardResult global = gpu.run(request(m, 120, "linear:s=8,layers=global"));
    const ForwardResult all = gpu.run(request(m, 120, "linear:s=8,layers=all"));
    const ForwardResult all_cpu = cpu.run(request(m, 120, "linear:s=8,layers=all"));
    CHECK(test::max_abs_diff(global.nll, all.nll) > 1e-3);
    CHECK(test::max_abs_diff(all.nll, all_cpu.nll) < 2e-4);
    test::check_validation_clean(*test::gpu_context());
}
