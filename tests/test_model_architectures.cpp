// GGUF architectures as rows of model options (core/model/gguf_arch.hpp): what each synthetic
// model reads into ModelConfig / LayerWeights, layer kinds and their plans (layers= key), and
// one clear error for a missing tensor, a wrong shape, a missing key and an unknown architecture.
#include <doctest/doctest.h>

#include <cmath>

#include "arch_models_for_tests.hpp"
#include "core/error.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"

using namespace xl;

namespace {

std::string load_error(const test::ArchModel& a) {
    test::TempDir tmp;
    const std::string path = a.write(tmp);
    try {
        load_gguf_model(path);
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find(path) != std::string::npos);  // names the file
        return e.what();
    }
    return "";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("architectures: each synthetic GGUF loads with its row of options") {
    test::TempDir tmp;
    for (const std::string& arch : test::all_architectures()) {
        CAPTURE(arch);
        const test::ArchModel a{arch};
        const Model m = load_gguf_model(a.write(tmp));
        const ModelConfig& c = m.config;
        const LayerWeights& L = m.weights.layers[0];
        CHECK(c.architecture == arch);
        CHECK(c.head_dim == a.head_dim());
        CHECK(c.rope_dim == a.rope_dim());
        CHECK(c.rope_layout == (arch == "llama" ? RopeLayout::Normal : RopeLayout::NeoX));
        CHECK(c.mlp == (arch == "gemma3" ? MlpType::GeGLU : MlpType::SwiGLU));
        CHECK(L.bq.empty() == (arch != "qwen2"));
        CHECK(L.q_norm.empty() == (arch != "qwen3" && arch != "gemma3"));
        CHECK(L.post_ffn_norm.empty() == (arch != "gemma3"));
        CHECK(c.embedding_scale == doctest::Approx(arch == "gemma3" ? std::sqrt(32.0) : 1.0));
        CHECK(c.tied_output == (arch == "gemma3"));
        CHECK(L.wq.rows == a.heads * a.head_dim());
        CHECK(L.wk.rows == a.kv * a.head_dim());
        CHECK(L.w1.rows == a.hidden);
        CHECK(L.w3.rows == a.hidden);
    }
}

TEST_CASE("architectures: phi3's fused qkv and gate/up are row views of the file's tensors") {
    test::TempDir tmp;
    const test::ArchModel a{"phi3"};
    const Model m = load_gguf_model(a.write(tmp));
    const LayerWeights& L = m.weights.layers[1];
    const size_t row = size_t(a.dim) * 4;
    CHECK(L.wk.data == L.wq.data + size_t(L.wq.rows) * row);
    CHECK(L.wv.data == L.wk.data + size_t(L.wk.rows) * row);
    CHECK(L.w3.data == L.w1.data + size_t(a.hidden) * row);
    CHECK(m.config.rope_factors_long.size() == size_t(a.rope_dim() / 2));
    CHECK(m.config.rope_scaling.type == "longrope");
}

TEST_CASE("architectures: gemma3 layer kinds from the pattern key, the hard-coded 5:1 default, and their plans") {
    test::TempDir tmp;
    test::ArchModel a{"gemma3"};
    a.layers = 4;
    const Model m = load_gguf_model(a.write(tmp));
    const ModelConfig& c = m.config;
    REQUIRE(c.layer_kinds.size() == 2);
    CHECK(c.layer_kinds[0].name == "global");
    CHECK(c.layer_kinds[0].rope_base == 1e6f);
    CHECK(c.layer_kinds[0].window == 0);
    CHECK(c.layer_kinds[1].name == "local");
    CHECK(c.layer_kinds[1].rope_base == 100.f);
    CHECK(c.layer_kinds[1].window == 8);
    CHECK(c.layer_kind == std::vector<int>{1, 0, 1, 0});  // period 2: local, global, ...

    // Default layers=global: YaRN on the global kind, plain RoPE (own base, window) on the local one.
    const PositionPlan p = make_plan(parse_method_spec("yarn:s=4,orig=64"), c, 100);
    REQUIRE(p.per_kind.size() == 2);
    CHECK(p.primary_kind == 0);
    CHECK(contains(p.method, "layers=global"));
    CHECK(p.per_kind[0].inv_freq[7] < std::pow(1e6, -14.0 / 16) * 0.9);  // interpolated
    CHECK(p.per_kind[1].inv_freq[1] == doctest::Approx(std::pow(100.0, -2.0 / 16)).epsilon(1e-6));
    CHECK(p.per_kind[1].window == 8);
    CHECK(p.per_kind[0].window == 0);
    CHECK(&plan_for_layer(p, c, 0) == &p.per_kind[1]);
    CHECK(&plan_for_layer(p, c, 3) == &p.per_kind[0]);
    const PositionPlan local = make_plan(parse_method_spec("yarn:s=4,orig=64,layers=local"), c, 100);
    CHECK(local.primary_kind == 1);
    CHECK(local.per_kind[0].inv_freq[7] == doctest::Approx(std::pow(1e6, -14.0 / 16)).epsilon(1e-6));
    CHECK(local.per_kind[1].inv_freq[7] < std::pow(100.0, -14.0 / 16) * 0.9);
    const PositionPlan all = make_plan(parse_method_spec("linear:s=2,layers=all"), c, 100);
    CHECK(all.per_kind[0].inv_freq[1] == doctest::Approx(std::pow(1e6, -2.0 / 16) / 2).epsilon(1e-6));
    CHECK(all.per_kind[1].inv_freq[1] == doctest::Approx(std::pow(100.0, -2.0 / 16) / 2).epsilon(1e-6));
    CHECK_THROWS_WITH_AS(make_plan(parse_method_spec("linear:s=2,layers=middle"), c, 100),
                         doctest::Contains("valid values: all, global, local"), Error);

    // Without the pattern key: llama.cpp's 5 local : 1 global; without freq_base_swa: base 10000.
    a.layers = 7;
    a.drop_key = "gemma3.attention.sliding_window_pattern";
    test::TempDir tmp2;
    const Model d = load_gguf_model(a.write(tmp2));
    CHECK(d.config.layer_kind == std::vector<int>{1, 1, 1, 1, 1, 0, 1});
    a.drop_key = "gemma3.rope.freq_base_swa";
    test::TempDir tmp3;
    CHECK(load_gguf_model(a.write(tmp3)).config.layer_kinds[1].rope_base == 10000.f);
}

TEST_CASE("architectures: single-kind models keep one plan - llama's sliding_window and rope_freqs apply") {
    test::TempDir tmp;
    const Model m = load_gguf_model(test::ArchModel{"llama"}.write(tmp));
    CHECK(m.config.layer_kinds.empty());
    CHECK(m.config.sliding_window == 16);
    CHECK(m.config.rope_freq_factors.size() == 4);
    const PositionPlan p = make_plan(parse_method_spec("none"), m.config, 40);
    CHECK(p.per_kind.empty());
    CHECK(p.window == 16);
    CHECK_FALSE(contains(make_plan(parse_method_spec("linear:s=2,layers=all"), m.config, 40).method, "layers"));
    CHECK_THROWS_AS(make_plan(parse_method_spec("linear:s=2,layers=local"), m.config, 40), Error);
}

TEST_CASE("architectures: missing tensors, wrong shapes, missing keys and unknown architectures are one clear error") {
    test::ArchModel a{"qwen2"};
    a.drop_tensor = "blk.1.attn_k.bias";
    CHECK(contains(load_error(a), "missing tensor 'blk.1.attn_k.bias'"));
    a = test::ArchModel{"qwen3"};
    a.bad_shape_tensor = "blk.0.attn_q_norm.weight";
    CHECK(contains(load_error(a), "tensor 'blk.0.attn_q_norm.weight' has ne [9], expected [8]"));
    a = test::ArchModel{"gemma3"};
    a.drop_tensor = "blk.2.post_ffw_norm.weight";
    CHECK(contains(load_error(a), "missing tensor 'blk.2.post_ffw_norm.weight'"));
    a = test::ArchModel{"gemma3"};
    a.drop_key = "gemma3.attention.sliding_window";
    const std::string key = load_error(a);
    CHECK(contains(key, "missing metadata key 'gemma3.attention.sliding_window'"));
    CHECK(contains(key, "architecture gemma3"));
    a = test::ArchModel{"phi3"};
    a.bad_shape_tensor = "blk.0.attn_qkv.weight";
    CHECK(contains(load_error(a), "tensor 'blk.0.attn_qkv.weight' has ne"));
    a = test::ArchModel{"llama"};
    a.drop_key = "llama.feed_forward_length";
    CHECK(contains(load_error(a), "missing metadata key 'llama.feed_forward_length'"));
    a = test::ArchModel{"mamba"};
    const std::string arch = load_error(a);
    CHECK(contains(arch, "architecture 'mamba' is not supported (supported: llama, qwen2, qwen3, gemma3, phi3)"));
}

TEST_CASE("architectures: each option changes the CPU reference's losses (rows are not ignored)") {
    test::TempDir tmp;
    for (const std::string& arch : {std::string("qwen2"), std::string("qwen3"), std::string("gemma3")}) {
        CAPTURE(arch);
        Model m = load_gguf_model(test::ArchModel{arch}.write(tmp));
        std::vector<int> tokens;
        for (int i = 0; i < 24; ++i) tokens.push_back((i * 37 + 5) % 96);
        ForwardRequest r;
        r.tokens = tokens;
        r.plan = make_plan(parse_method_spec("none"), m.config, 24);
        const std::vector<float> with = CpuForward(m).run(r).nll;
        for (LayerWeights& L : m.weights.layers) {  // switch the architecture's tensors off
            L.bq = L.bk = L.bv = L.q_norm = L.k_norm = L.post_attn_norm = L.post_ffn_norm = Tensor{};
        }
        const std::vector<float> without = CpuForward(m).run(r).nll;
        double diff = 0;
        for (size_t i = 0; i < with.size(); ++i) diff = std::max(diff, double(std::fabs(with[i] - without[i])));
        CHECK(diff > 1e-3);
    }
}
