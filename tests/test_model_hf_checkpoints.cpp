// Hugging Face checkpoints against their GGUF twins (tests/data/hf, made by
// tools/peers/make_hf_checkpoints.py with the safetensors and gguf packages): the same random
// weights, written once with transformers' names and conventions and once with llama.cpp's
// converter conventions (llama q/k row permutation, Gemma norms + 1, Phi-3 fused tensors kept),
// give the same configuration and the same per-token losses on the CPU reference. A deliberate
// convention error (llama in the wrong pair layout) changes the losses: the check can fail.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/hf_model.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "model_test_files.hpp"

namespace {

using json = nlohmann::json;

std::string hf_data(const std::string& rel) { return std::string(XL_SOURCE_DIR) + "/tests/data/hf/" + rel; }

// A fixed pseudo-random token sequence (LCG) inside the vocabulary.
std::vector<int> tokens(int n, int vocab) {
    std::vector<int> t;
    uint32_t x = 12345;
    for (int i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        t.push_back(int((x >> 8) % uint32_t(vocab)));
    }
    return t;
}

std::vector<float> losses(const xl::Model& m, const std::string& method = "none", int n = 48) {
    xl::CpuForward cpu(m);
    xl::ForwardRequest r;
    r.tokens = tokens(n, m.config.vocab_size);
    r.plan = xl::make_plan(xl::parse_method_spec(method), m.config, n);
    return cpu.run(r).nll;
}

double max_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - double(b[i])));
    return worst;
}

double mean(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    return s / double(v.size());
}

// The layer kind of every layer as (name, base, window).
std::vector<std::tuple<std::string, float, int>> kinds_per_layer(const xl::ModelConfig& c) {
    const auto kinds = xl::layer_kinds_of(c);
    std::vector<std::tuple<std::string, float, int>> out;
    for (int l = 0; l < c.n_layers; ++l) {
        const xl::LayerKind& k = kinds[size_t(xl::layer_kind_index(c, l))];
        out.emplace_back(k.name, k.rope_base, k.window);
    }
    return out;
}

// The query scale in effect (0 = 1/sqrt(head_dim)).
double query_scale(const xl::ModelConfig& c) {
    return c.attention_scale > 0 ? c.attention_scale : 1.0 / std::sqrt(double(c.head_dim));
}

void check_same_config(const xl::ModelConfig& h, const xl::ModelConfig& g) {
    CHECK(h.architecture == g.architecture);
    CHECK(h.dim == g.dim);
    CHECK(h.hidden_dim == g.hidden_dim);
    CHECK(h.n_layers == g.n_layers);
    CHECK(h.n_heads == g.n_heads);
    CHECK(h.n_kv_heads == g.n_kv_heads);
    CHECK(h.head_dim == g.head_dim);
    CHECK(h.vocab_size == g.vocab_size);
    CHECK(h.norm_eps == doctest::Approx(g.norm_eps));
    CHECK(h.mlp == g.mlp);
    CHECK(h.tied_output == g.tied_output);
    CHECK(h.rope_base == g.rope_base);
    CHECK(h.rope_dim == g.rope_dim);
    CHECK(h.embedding_scale == g.embedding_scale);
    CHECK(query_scale(h) == doctest::Approx(query_scale(g)));
    CHECK(h.file_context_length == g.file_context_length);
    CHECK(kinds_per_layer(h) == kinds_per_layer(g));
    CHECK(h.rope_layout == xl::RopeLayout::NeoX);  // rotate_half, weights as stored
}

xl::Model load_twin(const std::string& arch) { return xl::load_gguf_model(hf_data(arch + ".gguf")); }

// A copy of a checkpoint folder whose config.json is changed by `edit`.
std::string edited_copy(const xl::test::TempDir& tmp, const std::string& arch, const std::string& name,
                        const std::function<void(json&)>& edit) {
    const std::string dir = tmp.path(name);
    std::filesystem::copy(hf_data(arch), dir, std::filesystem::copy_options::recursive);
    json c = json::parse(std::ifstream(dir + "/config.json"));
    edit(c);
    std::ofstream(dir + "/config.json") << c.dump(2);
    return dir;
}

}  // namespace

TEST_CASE("hf checkpoints: every architecture equals its GGUF twin (config and CPU losses)") {
    for (const std::string arch : {"llama", "qwen2", "qwen3", "gemma3", "phi3"}) {
        CAPTURE(arch);
        const xl::Model h = xl::load_hf_model(hf_data(arch));
        const xl::Model g = load_twin(arch);
        CHECK(h.config.format == "hf safetensors");
        check_same_config(h.config, g.config);
        const std::vector<float> lh = losses(h), lg = losses(g);
        const double d = max_diff(lh, lg);
        MESSAGE(arch << ": max |Δ nll| HF vs GGUF = " << d << " (mean nll " << mean(lh) << ", ln V = "
                     << std::log(double(h.config.vocab_size)) << ")");
        CHECK(d <= 1e-5);
        CHECK(mean(lh) > 0.5);  // random weights, not a degenerate output
    }
}

TEST_CASE("hf checkpoints: llama in the wrong pair layout gives other losses (the check can fail)") {
    xl::Model h = xl::load_hf_model(hf_data("llama"));
    const xl::Model g = load_twin("llama");
    CHECK(g.config.rope_layout == xl::RopeLayout::Normal);  // permuted rows, adjacent pairs
    h.config.rope_layout = xl::RopeLayout::Normal;           // unpermuted rows read as adjacent pairs
    const double d = max_diff(losses(h), losses(g));
    MESSAGE("llama HF rows with the GGUF pair layout: max |Δ nll| = " << d);
    CHECK(d > 1e-2);
}

TEST_CASE("hf checkpoints: Gemma 3's three config forms give the same layer kinds and losses") {
    xl::test::TempDir tmp;
    const xl::Model older = xl::load_hf_model(hf_data("gemma3"));  // sliding_window_pattern + rope_local_base_freq
    const auto want = kinds_per_layer(older.config);
    REQUIRE(want.size() == 6);
    CHECK(std::get<0>(want[0]) == "local");
    CHECK(std::get<1>(want[0]) == 10000.f);
    CHECK(std::get<2>(want[0]) == 8);
    CHECK(std::get<0>(want[5]) == "global");
    CHECK(std::get<1>(want[5]) == 1e6f);
    CHECK(std::get<2>(want[5]) == 0);
    const json types = {"sliding_attention", "sliding_attention", "sliding_attention",
                        "sliding_attention", "sliding_attention", "full_attention"};
    const std::string with_types = edited_copy(tmp, "gemma3", "types", [&](json& c) {
        c.erase("sliding_window_pattern");
        c["layer_types"] = types;
    });
    const std::string v5 = edited_copy(tmp, "gemma3", "v5", [&](json& c) {
        c.erase("sliding_window_pattern");
        c.erase("rope_theta");
        c.erase("rope_local_base_freq");
        c.erase("rope_scaling");
        c["layer_types"] = types;
        c["rope_parameters"] = {{"full_attention", {{"rope_type", "default"}, {"rope_theta", 1e6}}},
                                {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 1e4}}}};
    });
    const std::vector<float> base = losses(older);
    for (const std::string& dir : {with_types, v5}) {
        CAPTURE(dir);
        const xl::Model m = xl::load_hf_model(dir);
        CHECK(kinds_per_layer(m.config) == want);
        CHECK(m.config.rope_base == 1e6f);
        CHECK(max_diff(losses(m), base) == 0);
    }
}

TEST_CASE("hf checkpoints: the config's rope scaling is the model's own method (file)") {
    const xl::Model phi = xl::load_hf_model(hf_data("phi3"));
    const std::string& m = phi.config.rope_scaling.method;
    CHECK(m.rfind("longrope:", 0) == 0);
    CHECK(m.find("select=hf") != std::string::npos);
    CHECK(phi.config.rope_scaling.original_context == 256);
    CHECK(phi.config.rope_factors_long.size() == 4);
    CHECK(phi.config.rope_dim == 8);  // partial_rotary_factor 0.5 of head_dim 16
    for (int n : {48, 300}) {
        const auto a = xl::make_plan(xl::parse_method_spec("file"), phi.config, n);
        const auto b = xl::make_plan(xl::parse_method_spec(m), phi.config, n);
        CHECK(a.inv_freq == b.inv_freq);
        CHECK(a.mscale == b.mscale);
    }

    xl::test::TempDir tmp;
    const std::string dir = edited_copy(tmp, "llama", "yarn", [](json& c) {
        c["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 64}};
    });
    const xl::Model y = xl::load_hf_model(dir);
    CHECK(y.config.rope_scaling.type == "yarn");
    CHECK(y.config.rope_scaling.method.rfind("yarn:", 0) == 0);
    CHECK(y.config.rope_scaling.method.find("conv=hf") != std::string::npos);
    const auto plain = xl::make_plan(xl::parse_method_spec("none"), y.config, 200);
    const auto file = xl::make_plan(xl::parse_method_spec("file"), y.config, 200);
    CHECK(plain.inv_freq != file.inv_freq);
    const xl::Model none = xl::load_hf_model(hf_data("llama"));
    CHECK(none.config.rope_scaling.method.empty());
}

TEST_CASE("hf checkpoints: the folder's tokenizer.json equals the GGUF twin's vocabulary") {
    const xl::Model h = xl::load_model(hf_data("llama"));
    const xl::Model g = xl::load_model(hf_data("llama.gguf"));
    REQUIRE(h.tokenizer);
    REQUIRE(g.tokenizer);
    CHECK(h.tokenizer->vocab_size() == 288);
    const std::string text = "Once upon a time, there was a little girl named Lily. She liked the sun.";
    const std::vector<int> a = h.tokenizer->encode(text, false), b = g.tokenizer->encode(text, false);
    CHECK(a == b);
    CHECK(a.size() < text.size());  // the merges apply
    CHECK(h.tokenizer->decode(a) == text);
}
