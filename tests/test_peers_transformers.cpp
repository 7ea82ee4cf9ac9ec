// Agreement with Hugging Face transformers (issue 8, "Agreement with the peers" 2): the golden
// files tests/golden/transformers_<model>.json (tools/peers/transformers_nll.py: PyTorch float32
// on the CPU, the same GGUF loaded with gguf_file=, i.e. dequantized weights) hold per-token NLL
// over 2048 tokens for rope types default, linear, dynamic, yarn, llama3 and longrope. Each run
// records the config keys it ran with (`hf_config`: rope_parameters, max_position_embeddings,
// head_dim ...); the test turns them into a method spec with extrapolab's own config.json reader
// (core/posenc/hf_rope_config, newest rules HF-C, as the recorded transformers 5.x uses) and runs
// the Vulkan pass on the same ids. Tolerance (issue 8): max per-token |Δ nll| ≤ 2e-3 nats — both
// sides compute in float32 from the same dequantized weights, so only summation order differs.
// Gemma 3: HF applies rope_parameters["full_attention"] to the global layers only, so check_model
// scopes the imported spec to them (layers=global); the local layers keep base 10000.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/forward/vulkan_forward.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method.hpp"
#include "tests/model_test_files.hpp"
#include "tests/peer_golden.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

constexpr double kMaxAbsTolerance = 2e-3;  // nats, per token

void check_model(const std::string& golden_name, const std::string& gguf, bool global_layers_only) {
    const test::PeerGolden g = test::load_peer_golden(golden_name, "hf_config");
    MESSAGE(golden_name << ": " << g.versions);
    const Model model = load_model(gguf);
    VulkanForward gpu(model, test::gpu_context());
    const int n = int(g.tokens.size());
    for (const test::PeerRun& run : g.runs) {
        const HfRopeImport imp = import_hf_rope_config(run.params, HfGeneration::C, golden_name + " " + run.name);
        const std::string spec =
            global_layers_only ? test::on_global_layers(imp.spec) : imp.spec;
        INFO(golden_name << " run " << run.name << " as " << spec);
        const ForwardResult r = test::run_golden(gpu, model, g, spec);
        REQUIRE(r.nll.size() == run.nll.size());
        const test::NllAgreement a = test::compare_nll(r.nll, run.nll);
        MESSAGE(golden_name << " " << run.name << " (" << spec << ", " << n << " tokens): max |Δ nll| " << a.max_abs
                            << " at " << a.worst << ", mean " << a.mean_abs << ", ppl ratio " << a.ppl_ratio
                            << "; extrapolab " << r.seconds << " s");
        CHECK(a.non_finite == 0);
        CHECK(a.max_abs <= kMaxAbsTolerance);
    }
    test::check_validation_clean(gpu.context());
}

}  // namespace

TEST_CASE("peers transformers: SmolLM2 per-token NLL under linear, dynamic, yarn, llama3, longrope matches HF") {
    check_model("transformers_smollm2", test::smollm2_gguf(), false);
}

TEST_CASE("peers transformers: Gemma 3 per-token NLL under linear, dynamic, yarn, llama3, longrope on its global layers matches HF") {
    check_model("transformers_gemma3", test::gemma3_gguf(), true);
}
