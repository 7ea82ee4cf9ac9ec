// The GGUF and llama2.c copies of stories260K must give the same configuration and
// bit-identical dequantised weights (../shared/models/stories260K/README.md).
#include <doctest/doctest.h>

#include <cstring>

#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "model_test_files.hpp"

namespace {

bool has_warning(const xl::ModelConfig& c, const std::string& part) {
    for (const std::string& w : c.warnings)
        if (w.find(part) != std::string::npos) return true;
    return false;
}

bool same_values(const xl::Tensor& a, const xl::Tensor& b) {
    if (a.rows != b.rows || a.cols != b.cols) return false;
    const std::vector<float> x = xl::dequantize(a), y = xl::dequantize(b);
    return std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0;
}

}  // namespace

TEST_CASE("model: stories260K GGUF and llama2.c copies agree") {
    const xl::Model g = xl::load_model(xl::test::stories_gguf());
    const xl::Model b = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    const xl::ModelConfig &cg = g.config, &cb = b.config;
    CHECK(cg.format == "gguf v3");
    CHECK(cb.format == "llama2.c");
    CHECK(cg.name == "stories260K");  // general.name "llama" is a placeholder: the file stem
    CHECK(cb.name == "stories260K");
    for (const xl::ModelConfig* c : {&cg, &cb}) {
        CHECK(c->architecture == "llama");
        CHECK(c->dim == 64);
        CHECK(c->hidden_dim == 172);
        CHECK(c->n_layers == 5);
        CHECK(c->n_heads == 8);
        CHECK(c->n_kv_heads == 4);
        CHECK(c->head_dim == 8);
        CHECK(c->vocab_size == 512);
        CHECK(c->norm_eps == doctest::Approx(1e-5f));
        CHECK(c->tied_output);
        CHECK(c->rope_base == 10000.f);
        CHECK(c->rope_dim == 8);
        CHECK(c->rope_layout == xl::RopeLayout::Normal);
        CHECK(c->position == xl::PositionSignal::RoPE);
        CHECK(c->rope_freq_factors.empty());
        CHECK(c->rope_scaling.type.empty());
        CHECK(c->alibi_max_bias == 0.f);
    }
    // What each file says about context: llama2.c seq_len 512; the GGUF's converter default 2048.
    CHECK(cb.file_context_length == 512);
    CHECK(cb.train_context_length == 512);
    CHECK(cg.file_context_length == 2048);
    CHECK(has_warning(cg, "looks like a converter default"));
    CHECK(has_warning(cg, "rope.freq_base missing: using 10000"));
    CHECK(cb.warnings.empty());
    CHECK(cg.metadata.at("tokenizer.ggml.tokens") == "[array of 512 strings]");
    CHECK(cg.metadata.at("llama.block_count") == "5");
    CHECK(cg.metadata.at("general.architecture") == "llama");
    CHECK(cb.metadata.at("llama2c.seq_len") == "512");

    const xl::ModelWeights &wg = g.weights, &wb = b.weights;
    CHECK(same_values(wg.token_embedding, wb.token_embedding));
    CHECK(same_values(wg.output, wb.output));
    CHECK(wg.output.data == wg.token_embedding.data);  // tied: the same view
    CHECK(same_values(wg.output_norm, wb.output_norm));
    REQUIRE(wg.layers.size() == wb.layers.size());
    int differing = 0;
    for (size_t l = 0; l < wg.layers.size(); ++l) {
        const xl::LayerWeights &x = wg.layers[l], &y = wb.layers[l];
        for (auto f : {&xl::LayerWeights::attn_norm, &xl::LayerWeights::wq, &xl::LayerWeights::wk,
                       &xl::LayerWeights::wv, &xl::LayerWeights::wo, &xl::LayerWeights::ffn_norm,
                       &xl::LayerWeights::w1, &xl::LayerWeights::w2, &xl::LayerWeights::w3})
            if (!same_values(x.*f, y.*f)) ++differing;
    }
    CHECK(differing == 0);
    CHECK(wg.layers[2].wk.rows == 32);
    CHECK(wg.layers[2].wk.cols == 64);
    CHECK(wg.layers[4].w2.rows == 64);
    CHECK(wg.layers[4].w2.cols == 172);
    // Both came with a vocabulary of the model's size.
    REQUIRE(g.tokenizer);
    REQUIRE(b.tokenizer);
    CHECK(g.tokenizer->vocab_size() == 512);
    CHECK(b.tokenizer->vocab_size() == 512);
}

TEST_CASE("model: llama2.c checkpoint finds tok<vocab>.bin beside it") {
    const xl::Model b = xl::load_model(xl::test::stories_bin());
    REQUIRE(b.tokenizer);
    CHECK(b.tokenizer->vocab_size() == 512);
    CHECK(b.config.metadata.at("tokenizer.file").find("tok512.bin") != std::string::npos);
    const xl::Model baby = xl::load_model(xl::test::baby_bin());
    CHECK(baby.config.dim == 128);
    CHECK(baby.config.hidden_dim == 352);
    CHECK(baby.config.n_kv_heads == 4);
    CHECK(baby.config.vocab_size == 105);
    CHECK(baby.config.train_context_length == 256);
    CHECK(baby.tokenizer->vocab_size() == 105);
}
