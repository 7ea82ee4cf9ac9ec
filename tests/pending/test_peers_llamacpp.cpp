// Agreement with llama.cpp (issue 8, "Agreement with the peers" 1 and 3): the golden files
// tests/golden/llamacpp_<model>.json (tools/peers/llamacpp_nll.py: llama-cpp-python on the CPU,
// 2 threads) hold llama.cpp's token ids of the TinyStories text, its per-token NLL under plain
// RoPE and under its own linear and YaRN context parameters, and its greedy continuation of a
// prompt. extrapolab's Vulkan pass runs the same ids with the matching method spec:
//   rope_scaling_type linear, rope_freq_scale 1/s          → linear:s=<s>
//   rope_scaling_type yarn, rope_freq_scale 1/s, yarn_*     → yarn:s=<s>,orig=<yarn_orig_ctx>,
//                                                             beta_fast,beta_slow,ext_factor,
//                                                             attn_factor,conv=llamacpp
// On Gemma 3, llama.cpp applies rope_freq_scale to the global layers only (its sliding-window
// layers keep their own base 10000 and scale 1), so the spec is scoped to global layers.
// Tolerances (issue 8): mean |Δ nll| ≤ 0.01 nats and perplexity within 0.5 %; the 32 greedy tokens
// equal. llama.cpp's CPU matmuls quantize activations to 8 bits (Q8_0/Q8_1 blocks) and keep K/V in
// F16, extrapolab computes in float32. Measured on SmolLM2 (golden prefix of 1023 tokens) against
// transformers float32 on the same dequantized weights: llama.cpp on the Q4_1 file differs by mean
// |Δ nll| 0.043 (none), 0.056 (linear), 0.054 (yarn), perplexity ratios 1.0001, 1.0082, 1.0019;
// llama.cpp on an F32 copy of the same weights differs by 0.0008 (F16 K/V) and < 1e-5 (F32 K/V).
// So a float32 engine cannot meet 0.01 against the quantized-activation run: that is what this
// test measures and reports; see the report of the peers work for the proposed F32-weights golden.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "core/forward/vulkan_forward.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/generate.hpp"
#include "tests/model_test_files.hpp"
#include "tests/peer_golden.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

constexpr double kMeanAbsTolerance = 0.01;  // nats
constexpr double kPerplexityTolerance = 0.005;

std::string number(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

// The extrapolab method spec of one llama.cpp run (llama.h context parameters; llama.cpp
// resolves yarn_ext_factor < 0 to 1 for YaRN, 0 otherwise).
std::string spec_for(const test::PeerRun& run, int train_ctx) {
    const auto& p = run.params;
    const int type = p.value("rope_scaling_type", -1);
    const double scale = p.value("rope_freq_scale", 0.0);
    if (type == 0 || type == -1) {
        REQUIRE(scale == 0.0);
        return "none";
    }
    REQUIRE(scale > 0);
    const double s = 1.0 / scale;
    if (type == 1) return "linear:s=" + number(s);
    REQUIRE(type == 2);
    const double ext = p.value("yarn_ext_factor", -1.0) < 0 ? 1.0 : p.value("yarn_ext_factor", 1.0);
    const int orig = p.value("yarn_orig_ctx", 0) > 0 ? p.value("yarn_orig_ctx", 0) : train_ctx;
    return "yarn:s=" + number(s) + ",orig=" + std::to_string(orig) + ",beta_fast=" +
           number(p.value("yarn_beta_fast", 32.0)) + ",beta_slow=" + number(p.value("yarn_beta_slow", 1.0)) +
           ",ext_factor=" + number(ext) + ",attn_factor=" + number(p.value("yarn_attn_factor", 1.0)) +
           ",conv=llamacpp";
}

// Greedy continuation (argmax, lowest id on ties) of `prompt` for n steps, re-running the prefix
// each step; unlike xl::generate it does not stop at EOS (llama.cpp's golden does not either).
std::vector<int> greedy(Forward& fwd, const Model& model, std::vector<int> ctx, int n) {
    std::vector<int> out;
    for (int i = 0; i < n; ++i) {
        ForwardRequest req;
        req.tokens = ctx;
        req.plan = make_plan(parse_method_spec("none"), model.config, int(ctx.size()));
        req.want_nll = false;
        req.want_last_logits = true;
        const ForwardResult r = fwd.run(req);
        REQUIRE(r.last_logits.size() == size_t(model.config.vocab_size));
        const int next = pick_token(r.last_logits, 0.f, 0.0);
        out.push_back(next);
        ctx.push_back(next);
    }
    return out;
}

void check_model(const std::string& golden_name, const std::string& gguf, bool global_layers_only) {
    const test::PeerGolden g = test::load_peer_golden(golden_name, "params");
    MESSAGE(golden_name << ": llama.cpp " << g.versions);
    const Model model = load_model(gguf);
    const int train_ctx = g.doc.at("train_ctx").get<int>();
    CHECK(model.config.train_context_length == train_ctx);
    VulkanForward gpu(model, test::gpu_context());
    const int n = int(g.tokens.size());
    for (const test::PeerRun& run : g.runs) {
        const std::string plain = spec_for(run, train_ctx);
        const std::string spec = global_layers_only ? test::on_global_layers(plain) : plain;
        INFO(golden_name << " run " << run.name << " as " << spec);
        ForwardRequest req;
        req.tokens = g.tokens;
        req.plan = make_plan(parse_method_spec(spec), model.config, n);
        const auto t0 = std::chrono::steady_clock::now();
        const ForwardResult r = gpu.run(req);
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        REQUIRE(r.nll.size() == run.nll.size());
        const test::NllAgreement a = test::compare_nll(r.nll, run.nll);
        MESSAGE(golden_name << " " << run.name << " (" << spec << ", " << n << " tokens): mean |Δ nll| "
                            << a.mean_abs << ", max " << a.max_abs << " at " << a.worst << ", ppl ratio "
                            << a.ppl_ratio << " (llama.cpp ppl " << std::exp(test::mean_of(run.nll, run.nll.size()))
                            << "); extrapolab " << gpu.device_name() << " " << secs << " s");
        CHECK(a.non_finite == 0);
        CHECK(a.mean_abs <= kMeanAbsTolerance);
        CHECK(std::fabs(a.ppl_ratio - 1) <= kPerplexityTolerance);
    }
    const auto& gen = g.doc.at("greedy");
    const auto prompt = gen.at("prompt_tokens").get<std::vector<int>>();
    const auto expect = gen.at("tokens").get<std::vector<int>>();
    const std::vector<int> got = greedy(gpu, model, prompt, int(expect.size()));
    int same = 0;
    while (same < int(expect.size()) && got[size_t(same)] == expect[size_t(same)]) ++same;
    MESSAGE(golden_name << " greedy: " << same << " of " << expect.size() << " tokens equal llama.cpp's");
    CHECK(same == int(expect.size()));
    test::check_validation_clean(gpu.context());
}

}  // namespace

TEST_CASE("peers llamacpp: SmolLM2 per-token NLL (none, linear, yarn) and greedy tokens match llama.cpp") {
    check_model("llamacpp_smollm2", test::smollm2_gguf(), false);
}

TEST_CASE("peers llamacpp: Gemma 3 per-token NLL (none, linear, yarn on global layers) and greedy tokens match llama.cpp") {
    check_model("llamacpp_gemma3", test::gemma3_gguf(), true);
}
