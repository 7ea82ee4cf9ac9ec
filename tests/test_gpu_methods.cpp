// End to end, per position method: the Vulkan forward pass (xl::VulkanForward) and the CPU
// reference (xl::CpuForward) give the same per-token NLL (within 1e-3) on real models and text.
//   - stories260K (RoPE): none, linear, ntk, dynntk, yarn, abf, logn, yarn+logn on a 2048-token
//     window of the TinyStories text; xPos (§14) alone, with its zero centre, and composed with
//     YaRN and log-n on the same window;
//   - alilama (ALiBi; LayerNorm with bias, PostFirstNorm residual, SiLU MLP, no final norm, tied
//     output; trained at 128 tokens): alibi and alibi:interp=2 on a 1024-token window — shorter
//     than 2048 to keep the CPU reference cheap (its attention cost grows with n²), yet 8× the
//     training length, so the ALiBi bias reaches far beyond the trained distances.
//   - every method of the catalogue (core/posenc/catalogue.hpp) configured for 4× the training
//     length: stories260K at 2048 tokens (all RoPE methods, windows, sinks, ReRoPE, Self-Extend...),
//     alilama at 8× = 1024 tokens (ALiBi interpolation, NTK-ALiBi, windows, sinks, NoPE).
// The CPU reference runs once per method (about 1.5 s per 2048-token run on 2 cores); the file
// takes about 20 s on lavapipe.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "core/forward/gpu_ops.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/catalogue.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

const std::string kShared = std::string(XL_SHARED_DIR);
const std::string kText = kShared + "/data/tinystories/valid-first201.txt";

struct Agreement {
    double worst = 0;      // max |Δ nll| over the window
    double mean_gpu = 0;   // mean nll on the GPU
    double cpu_seconds = 0;
};

// Runs `method` on the first n tokens of `tokens` on both backends.
Agreement compare(VulkanForward& gpu, CpuForward& cpu, const Model& model, const std::vector<int>& tokens, int n,
                  const std::string& method) {
    REQUIRE(int(tokens.size()) >= n);
    ForwardRequest req;
    req.tokens.assign(tokens.begin(), tokens.begin() + n);
    req.plan = make_plan(parse_method_spec(method), model.config, n);
    const auto t0 = std::chrono::steady_clock::now();
    const ForwardResult c = cpu.run(req);
    Agreement a;
    a.cpu_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const ForwardResult g = gpu.run(req);
    REQUIRE(g.nll.size() == size_t(n - 1));
    REQUIRE(c.nll.size() == size_t(n - 1));
    size_t finite = 0;
    for (size_t i = 0; i < g.nll.size(); ++i) {
        finite += std::isfinite(g.nll[i]) ? 1 : 0;
        a.worst = std::max(a.worst, std::fabs(double(g.nll[i]) - double(c.nll[i])));
        a.mean_gpu += g.nll[i] / double(n - 1);
    }
    CHECK(finite == g.nll.size());
    MESSAGE(method << " (" << n << " tokens): max |Δ nll| = " << a.worst << ", mean nll " << a.mean_gpu
                   << ", CPU reference " << a.cpu_seconds << " s");
    return a;
}

}  // namespace

TEST_CASE("gpu methods: stories260K, every RoPE method of the first set matches the CPU reference") {
    const std::string dir = kShared + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text = load_token_stream(kText, *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    for (const char* method : {"none", "linear:s=4", "ntk:a=4", "dynntk:s=4", "yarn:s=4,orig=512", "abf:base=40000",
                               "logn", "yarn:s=4+logn"}) {
        INFO("method " << method);
        const Agreement a = compare(gpu, cpu, model, text.tokens, 2048, method);
        CHECK(a.worst < 1e-3);
        CHECK(a.mean_gpu > 0.5);  // a trained model on its own domain: not degenerate, not random (ln 512 = 6.2)
        CHECK(a.mean_gpu < 4.0);
    }
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu methods: stories260K, xpos alone and composed matches the CPU reference") {
    const std::string dir = kShared + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text = load_token_stream(kText, *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    for (const char* method : {"xpos", "xpos:centre=zero", "yarn:s=4,orig=512+xpos:scale_base=1024+logn"}) {
        INFO("method " << method);
        const Agreement a = compare(gpu, cpu, model, text.tokens, 2048, method);
        CHECK(a.worst < 1e-3);
        CHECK(a.mean_gpu > 0.5);
    }
    test::check_validation_clean(gpu.context());
}

// Past about 4500 tokens xPos's key factors ζ^(−(p−c)/γ) exceed 2^8 (head size 8: ζ_min = 2/7),
// so keys leave fp16's range: attention keeps fp32 operands there (AttentionShape::fp32_operands;
// on the H200 the cooperative kernel gave inf perplexity for xPos on SmolLM2 at 8192 tokens).
TEST_CASE("gpu methods: stories260K, xpos beyond fp16's range keeps fp32 attention and matches the CPU reference") {
    const std::string dir = kShared + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    CHECK(xpos_max_log2_magnitude(make_plan(parse_method_spec("xpos"), model.config, 2048), 2048) < kFp16SafeLog2);
    CHECK(xpos_max_log2_magnitude(make_plan(parse_method_spec("xpos"), model.config, 5120), 5120) > kFp16SafeLog2);
    CHECK(xpos_max_log2_magnitude(make_plan(parse_method_spec("none"), model.config, 5120), 5120) == 0);
    const TokenStream text = load_token_stream(kText, *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const Agreement a = compare(gpu, cpu, model, text.tokens, 5120, "xpos");
    CHECK(a.worst < 1e-3);
    CHECK(a.mean_gpu > 0.5);
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu methods: alilama (ALiBi, LayerNorm/PostFirstNorm/SiLU recipe) matches the CPU reference") {
    const Model model = load_model(kShared + "/models/alilama/alilama_batches_512_470K.pth");
    DocumentFormat format;  // the model's training format (models/alilama/README.md)
    format.prefix = " STARTSTORY ";
    format.newlines_to_spaces = true;
    const TokenStream text = load_token_stream(kText, *model.tokenizer, format);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    for (const char* method : {"alibi", "alibi:interp=2"}) {
        INFO("method " << method);
        const Agreement a = compare(gpu, cpu, model, text.tokens, 1024, method);
        CHECK(a.worst < 1e-3);
        CHECK(a.mean_gpu > 0.5);  // perplexity of a trained model: well below the vocabulary (ln 4000 = 8.3)
        CHECK(a.mean_gpu < 4.0);
    }
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu methods: every catalogue method at 4x stories260K's training length matches the CPU reference") {
    const std::string dir = kShared + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text = load_token_stream(kText, *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const int n = catalogue_length(model.config, 4.0);
    CHECK(n == 2048);
    int methods = 0;
    for (const CatalogueEntry& e : method_catalogue(model.config, 4.0)) {
        if (!e.skipped.empty()) continue;
        INFO("method " << e.spec);
        const Agreement a = compare(gpu, cpu, model, text.tokens, n, e.spec);
        CHECK(a.worst < 1e-3);
        ++methods;
    }
    const Agreement file = compare(gpu, cpu, model, text.tokens, n, "file");  // the one catalogue skip
    CHECK(file.worst < 1e-3);
    CHECK(methods >= 24);
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu methods: every ALiBi catalogue method at 8x alilama's training length matches the CPU reference") {
    const Model model = load_model(kShared + "/models/alilama/alilama_batches_512_470K.pth");
    DocumentFormat format;
    format.prefix = " STARTSTORY ";
    format.newlines_to_spaces = true;
    const TokenStream text = load_token_stream(kText, *model.tokenizer, format);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const int n = catalogue_length(model.config, 8.0);
    CHECK(n == 1024);
    int methods = 0;
    for (const CatalogueEntry& e : method_catalogue(model.config, 8.0)) {
        if (!e.skipped.empty()) continue;
        INFO("method " << e.spec);
        const Agreement a = compare(gpu, cpu, model, text.tokens, n, e.spec);
        CHECK(a.worst < 1e-3);
        ++methods;
    }
    CHECK(methods >= 6);
    test::check_validation_clean(gpu.context());
}
