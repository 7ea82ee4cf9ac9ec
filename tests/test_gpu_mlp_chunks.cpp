// The MLP in token chunks (core/forward/vulkan_forward.cpp: record_mlp), which lets a pass hold
// more tokens than one storage binding holds rows of the hidden layer (lavapipe binds 128 MiB:
// SmolLM2's 1536-wide hidden layer stopped it at 21845 tokens). With the binding shrunk
// (XL_TEST_STORAGE_RANGE_KB) the pass runs in several chunks, the last one ragged, and its losses
// and logits equal the one-chunk pass exactly: every token's row is computed the same way. Every
// architecture: SwiGLU, GeGLU with gemma3's post-FFN norm, phi3's fused gate/up.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "arch_models_for_tests.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/posenc/method.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

struct StorageRangeScope {  // the forward sizes its buffers as if a binding held `kb` KiB
    explicit StorageRangeScope(int kb) { setenv("XL_TEST_STORAGE_RANGE_KB", std::to_string(kb).c_str(), 1); }
    ~StorageRangeScope() { unsetenv("XL_TEST_STORAGE_RANGE_KB"); }
};

ForwardResult run(const Model& m, int n) {
    ForwardRequest r;
    for (int i = 0; i < n; ++i) r.tokens.push_back((i * 53 + 11) % m.config.vocab_size);
    r.plan = make_plan(parse_method_spec("yarn:s=4,orig=64"), m.config, n);
    r.want_last_logits = true;
    VulkanForward gpu(m, test::gpu_context());
    return gpu.run(r);
}

}  // namespace

TEST_CASE("gpu mlp chunks: a pass in MLP token chunks equals the one-chunk pass exactly, every architecture") {
    test::TempDir tmp;
    for (const std::string& arch : test::all_architectures()) {
        CAPTURE(arch);
        test::ArchModel spec{arch};
        spec.hidden = 256;  // hidden rows 4× the widest other row, so a small binding bounds the MLP first
        const Model m = load_gguf_model(spec.write(tmp));
        const int n = 250;
        const ForwardResult whole = run(m, n);
        // Rows of 4·hidden_dim bytes: 100 tokens' worth per binding, so chunks of 100, 100 and 50 (the tile rounding
        // keeps 100, fewer than one 512-token tile).
        const int kb = std::max(1, int(int64_t(100) * 4 * m.config.hidden_dim / 1024));
        StorageRangeScope range(kb);
        VulkanForward probe(m, test::gpu_context());
        CHECK(probe.max_tokens() >= n);  // the chunked MLP no longer bounds the pass
        const ForwardResult chunked = run(m, n);
        REQUIRE(chunked.nll.size() == whole.nll.size());
        CHECK(chunked.nll == whole.nll);
        CHECK(chunked.last_logits == whole.last_logits);
    }
    test::check_validation_clean(*test::gpu_context());
}
