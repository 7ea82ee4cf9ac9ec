// Small llama GGUF files written by the test writer: F16 / BF16 / Q8_0 weights, every RoPE key,
// a rope_freqs tensor, versions 2 and 3, a non-default alignment, an embedded vocabulary whose
// byte tokens do not start at id 3.
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/llama_spm.hpp"
#include "core/model/load_model.hpp"
#include "core/model/sentencepiece_bpe.hpp"
#include "core/posenc/method.hpp"
#include "gguf_writer_for_tests.hpp"
#include "model_test_files.hpp"

namespace {

using xl::test::GgufWriter;
constexpr int kDim = 32, kHidden = 64, kHeads = 4, kKv = 2, kHeadDim = 8;

std::vector<float> ramp(size_t n, float scale, float phase) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = scale * std::sin(0.37f * float(i) + phase);
    return v;
}

// "<unk>", "<s>", "</s>", "▁", "a", "b", the 256 byte pieces (ids 6..261), "▁a", "▁ab", "ab".
std::vector<std::string> vocab() {
    std::vector<std::string> t = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b"};
    for (int b = 0; b < 256; ++b) {
        char s[8];
        std::snprintf(s, sizeof s, "<0x%02X>", b);
        t.push_back(s);
    }
    t.push_back("\xE2\x96\x81" "a");
    t.push_back("\xE2\x96\x81" "ab");
    t.push_back("ab");
    return t;
}

struct Synthetic {
    GgufWriter w;
    std::vector<float> embd, q, k, out;
};

Synthetic build(const std::string& arch = "llama", uint32_t alignment = 32) {
    Synthetic s;
    s.w.alignment = alignment;  // before any tensor: each one is padded to it
    GgufWriter& w = s.w;
    const std::vector<std::string> toks = vocab();
    const uint64_t n_vocab = toks.size();
    w.add_string("general.architecture", arch);
    w.add_string("general.name", "synthetic");
    w.add_u32("llama.context_length", 4096);
    w.add_u32("llama.embedding_length", kDim);
    w.add_u32("llama.block_count", 1);
    w.add_u32("llama.feed_forward_length", kHidden);
    w.add_u32("llama.attention.head_count", kHeads);
    w.add_u32("llama.attention.head_count_kv", kKv);
    w.add_f32("llama.attention.layer_norm_rms_epsilon", 1e-6f);
    w.add_f32("llama.rope.freq_base", 500000.f);
    w.add_u32("llama.rope.dimension_count", kHeadDim);
    w.add_string("llama.rope.scaling.type", "yarn");
    w.add_f32("llama.rope.scaling.factor", 4.f);
    w.add_u32("llama.rope.scaling.original_context_length", 1024);
    w.add_f32("llama.rope.scaling.attn_factor", 1.25f);
    w.add_f32("llama.rope.scaling.yarn_log_multiplier", 0.1f);
    w.add_f32("llama.rope.scaling.yarn_beta_fast", 32.f);
    w.add_f32("llama.rope.scaling.yarn_beta_slow", 1.f);
    w.add_f32("llama.rope.scaling.yarn_ext_factor", 0.5f);
    w.add_bool("llama.rope.scaling.finetuned", true);
    w.add_f32("llama.attention.max_alibi_bias", 8.f);
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_strings("tokenizer.ggml.tokens", toks);
    std::vector<float> scores(n_vocab, 0.f);
    scores[n_vocab - 3] = -1.f;  // "▁a"
    scores[n_vocab - 2] = -2.f;  // "▁ab"
    scores[n_vocab - 1] = -3.f;  // "ab"
    w.add_f32s("tokenizer.ggml.scores", scores);
    std::vector<int32_t> types(n_vocab, 1);
    types[0] = 2;
    types[1] = types[2] = 3;
    for (int b = 0; b < 256; ++b) types[size_t(6 + b)] = 6;
    w.add_i32s("tokenizer.ggml.token_type", types);
    w.add_u32("tokenizer.ggml.bos_token_id", 1);
    w.add_u32("tokenizer.ggml.eos_token_id", 2);

    using namespace xl::test;
    s.embd = ramp(n_vocab * kDim, 0.5f, 0.f);
    s.q = ramp(kDim * kDim, 0.2f, 1.f);
    s.k = ramp(kKv * kHeadDim * kDim, 3.f, 2.f);
    s.out = ramp(n_vocab * kDim, 0.7f, 3.f);
    const std::vector<float> ones(kDim, 1.f);
    w.add_tensor("token_embd.weight", kGgmlF16, {kDim, n_vocab}, to_f16(s.embd));
    w.add_tensor("blk.0.attn_norm.weight", kGgmlF32, {kDim}, to_f32(ones));
    w.add_tensor("blk.0.attn_q.weight", kGgmlQ8_0, {kDim, kDim}, to_q8_0(s.q));
    w.add_tensor("blk.0.attn_k.weight", kGgmlBF16, {kDim, kKv * kHeadDim}, to_bf16(s.k));
    w.add_tensor("blk.0.attn_v.weight", kGgmlF32, {kDim, kKv * kHeadDim}, to_f32(ramp(16 * kDim, 1.f, 4.f)));
    w.add_tensor("blk.0.attn_output.weight", kGgmlF16, {kDim, kDim}, to_f16(ramp(kDim * kDim, 1.f, 5.f)));
    w.add_tensor("blk.0.ffn_norm.weight", kGgmlF32, {kDim}, to_f32(ones));
    w.add_tensor("blk.0.ffn_gate.weight", kGgmlQ8_0, {kDim, kHidden}, to_q8_0(ramp(kHidden * kDim, 1.f, 6.f)));
    w.add_tensor("blk.0.ffn_down.weight", kGgmlQ8_0, {kHidden, kDim}, to_q8_0(ramp(kHidden * kDim, 1.f, 7.f)));
    w.add_tensor("blk.0.ffn_up.weight", kGgmlF16, {kDim, kHidden}, to_f16(ramp(kHidden * kDim, 1.f, 8.f)));
    w.add_tensor("output_norm.weight", kGgmlF32, {kDim}, to_f32(ones));
    w.add_tensor("output.weight", kGgmlQ8_0, {kDim, n_vocab}, to_q8_0(s.out));
    w.add_tensor("rope_freqs.weight", kGgmlF32, {kHeadDim / 2}, to_f32({1.f, 1.5f, 2.f, 8.f}));
    w.add_tensor("rope_factors_long.weight", kGgmlF32, {kHeadDim / 2}, to_f32({1.f, 2.f, 4.f, 16.f}));
    w.add_tensor("rope_factors_short.weight", kGgmlF32, {kHeadDim / 2}, to_f32({1.f, 1.f, 1.25f, 2.f}));
    return s;
}

}  // namespace

TEST_CASE("model: synthetic GGUF with every RoPE key and F16/BF16/Q8_0 weights") {
    xl::test::TempDir tmp;
    Synthetic s = build();
    const std::string path = tmp.path("synthetic.gguf");
    s.w.write(path);
    const xl::Model m = xl::load_model(path);
    const xl::ModelConfig& c = m.config;
    CHECK(c.name == "synthetic");
    CHECK(c.dim == kDim);
    CHECK(c.hidden_dim == kHidden);
    CHECK(c.n_heads == kHeads);
    CHECK(c.n_kv_heads == kKv);
    CHECK(c.head_dim == kHeadDim);
    CHECK(c.vocab_size == 265);
    CHECK(c.norm_eps == 1e-6f);
    CHECK(c.file_context_length == 4096);
    CHECK(c.train_context_length == 4096);
    CHECK(c.rope_base == 500000.f);
    CHECK(c.rope_scaling.type == "yarn");
    CHECK(c.rope_scaling.factor == 4.f);
    CHECK(c.rope_scaling.original_context == 1024);
    CHECK(c.rope_scaling.attn_factor == 1.25f);
    CHECK(c.rope_scaling.yarn_log_multiplier == 0.1f);
    CHECK(c.rope_scaling.yarn_beta_fast == 32.f);
    CHECK(c.rope_scaling.yarn_beta_slow == 1.f);
    CHECK(c.rope_scaling.yarn_ext_factor == 0.5f);
    CHECK(c.rope_scaling.finetuned);
    CHECK(c.alibi_max_bias == 8.f);
    CHECK(c.rope_freq_factors == std::vector<float>{1.f, 1.5f, 2.f, 8.f});
    CHECK(c.rope_factors_long == std::vector<float>{1.f, 2.f, 4.f, 16.f});
    CHECK(c.rope_factors_short == std::vector<float>{1.f, 1.f, 1.25f, 2.f});
    // LongRoPE takes the model's sets: long past the original context (1024), short within it (HF rule).
    const xl::PositionPlan far = xl::make_plan(xl::parse_method_spec("longrope"), c, 2048);
    const xl::PositionPlan near = xl::make_plan(xl::parse_method_spec("longrope"), c, 512);
    const double theta3 = std::pow(500000.0, -6.0 / kHeadDim);
    CHECK(far.inv_freq[3] == doctest::Approx(theta3 / 16).epsilon(1e-5));
    CHECK(near.inv_freq[3] == doctest::Approx(theta3 / 2).epsilon(1e-5));
    CHECK(c.warnings.empty());
    CHECK_FALSE(c.tied_output);
    CHECK(c.metadata.at("llama.rope.scaling.type") == "yarn");
    CHECK(c.metadata.at("llama.rope.scaling.finetuned") == "true");

    const xl::ModelWeights& w = m.weights;
    CHECK(w.token_embedding.type == xl::TensorType::F16);
    CHECK(w.layers[0].wq.type == xl::TensorType::Q8_0);
    CHECK(w.layers[0].wk.type == xl::TensorType::BF16);
    CHECK(w.output.type == xl::TensorType::Q8_0);
    const std::vector<float> e = xl::dequantize(w.token_embedding);
    int f16_off = 0;
    for (size_t i = 0; i < e.size(); ++i)
        if (e[i] != xl::f16_to_f32(xl::f32_to_f16(s.embd[i]))) ++f16_off;
    CHECK(f16_off == 0);
    const std::vector<float> k = xl::dequantize(w.layers[0].wk);
    CHECK(k[5] == xl::bf16_to_f32(xl::f32_to_bf16(s.k[5])));
    // Q8_0: within about half a quantisation step of the source (d = max|x|/127 <= 0.7/127,
    // stored as f16: q·d is off by at most 127·d·2^-11 more).
    const std::vector<float> o = xl::dequantize(w.output);
    double worst = 0;
    for (size_t i = 0; i < o.size(); ++i) worst = std::max(worst, double(std::abs(o[i] - s.out[i])));
    CHECK(worst > 0);
    CHECK(worst <= (0.5 + 127.0 / 2048) * 0.7 / 127);
}

TEST_CASE("model: synthetic GGUF vocabulary with byte tokens at id 6") {
    xl::test::TempDir tmp;
    const std::string path = tmp.path("synthetic.gguf");
    build().w.write(path);
    const xl::Model m = xl::load_model(path);
    auto* tok = dynamic_cast<const xl::LlamaSpm*>(m.tokenizer.get());
    REQUIRE(tok);
    CHECK(tok->find("<0x00>") == 6);
    CHECK(tok->decode_token(-1, 262) == " a");  // U+2581 decodes as a space
    // " " + "a" merges first (score -1), then " a" + "b" (-2); "é" is not a piece: bytes C3 A9.
    CHECK(tok->encode("ab", true) == std::vector<int>{1, 263});
    CHECK(tok->encode("abé", false) == std::vector<int>{263, 6 + 0xC3, 6 + 0xA9});
    CHECK(tok->encode("b", false) == std::vector<int>{3, 5});
    CHECK(tok->decode(tok->encode("abé ab", true)) == "abé ab");
}

TEST_CASE("model: GGUF v2 and a 64-byte alignment read the same") {
    xl::test::TempDir tmp;
    Synthetic v3 = build();
    Synthetic v2 = build("llama", 64);
    v2.w.version = 2;
    v3.w.write(tmp.path("v3.gguf"));
    v2.w.write(tmp.path("v2.gguf"));
    const xl::Model a = xl::load_gguf_model(tmp.path("v3.gguf"));
    const xl::Model b = xl::load_gguf_model(tmp.path("v2.gguf"));
    CHECK(b.config.format == "gguf v2");
    CHECK(b.config.metadata.at("gguf.alignment") == "64");
    CHECK(xl::dequantize(a.weights.layers[0].w2) == xl::dequantize(b.weights.layers[0].w2));
    CHECK(xl::dequantize(a.weights.output) == xl::dequantize(b.weights.output));
}

TEST_CASE("model: GGUF without output tensor is tied") {
    xl::test::TempDir tmp;
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    w.add_u32("llama.context_length", 256);
    w.add_u32("llama.embedding_length", 8);
    w.add_u32("llama.block_count", 0 + 1);
    w.add_u32("llama.feed_forward_length", 16);
    w.add_u32("llama.attention.head_count", 2);
    w.add_f32("llama.rope.freq_base", 10000.f);
    using namespace xl::test;
    w.add_tensor("token_embd.weight", kGgmlF32, {8, 4}, to_f32(ramp(32, 1, 0)));
    for (const char* n : {"attn_q", "attn_k", "attn_v", "attn_output"})
        w.add_tensor(std::string("blk.0.") + n + ".weight", kGgmlF32, {8, 8}, to_f32(ramp(64, 1, 1)));
    w.add_tensor("blk.0.attn_norm.weight", kGgmlF32, {8}, to_f32(ramp(8, 1, 2)));
    w.add_tensor("blk.0.ffn_norm.weight", kGgmlF32, {8}, to_f32(ramp(8, 1, 2)));
    w.add_tensor("blk.0.ffn_gate.weight", kGgmlF32, {8, 16}, to_f32(ramp(128, 1, 3)));
    w.add_tensor("blk.0.ffn_up.weight", kGgmlF32, {8, 16}, to_f32(ramp(128, 1, 3)));
    w.add_tensor("blk.0.ffn_down.weight", kGgmlF32, {16, 8}, to_f32(ramp(128, 1, 3)));
    w.add_tensor("output_norm.weight", kGgmlF32, {8}, to_f32(ramp(8, 1, 2)));
    w.write(tmp.path("tied.gguf"));
    const xl::Model m = xl::load_gguf_model(tmp.path("tied.gguf"));
    CHECK(m.config.tied_output);
    CHECK(m.weights.output.data == m.weights.token_embedding.data);
    CHECK(m.config.n_kv_heads == 2);  // head_count_kv defaults to head_count
    CHECK(m.config.rope_dim == 4);
    CHECK_FALSE(m.tokenizer);
    // load_model insists on a vocabulary.
    CHECK_THROWS_AS(xl::load_model(tmp.path("tied.gguf")), xl::Error);
}
