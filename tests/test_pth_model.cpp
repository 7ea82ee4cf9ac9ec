// The real ALiBi model (alilama .pth): loader shapes and recipe, and the CPU reference forward
// pass on it (perplexity on TinyStories, greedy continuation from the README).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "core/model/load_model.hpp"
#include "core/model/minbpe_tokenizer.hpp"
#include "core/model/pth_reader.hpp"
#include "core/ref/cpu_forward.hpp"

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/alilama/";
const std::string kPth = kDir + "alilama_batches_512_470K.pth";

const xl::Model& alilama() {
    static const xl::Model m = xl::load_pth_model(kPth, kDir + "tokenizer.model");
    return m;
}

// The model's own attention: ALiBi slopes, no rotation, 1/sqrt(head_dim), positions 0..n-1.
xl::PositionPlan alibi_plan(const xl::ModelConfig& c, int n) {
    xl::PositionPlan p;
    p.method = "alibi";
    p.seq_len = n;
    p.n_heads = c.n_heads;
    p.alibi_slopes = c.alibi_slopes;
    p.query_scale.assign(size_t(n), 1.f / std::sqrt(float(c.head_dim)));
    for (int i = 0; i < n; ++i) {
        p.near.q_pos.push_back(float(i));
        p.near.k_pos.push_back(float(i));
    }
    return p;
}

std::vector<float> last_logits(xl::CpuForward& fwd, const xl::Model& m, const std::vector<int>& tokens) {
    xl::ForwardRequest req{tokens, alibi_plan(m.config, int(tokens.size()))};
    req.want_nll = false;
    req.want_last_logits = true;
    return fwd.run(req).last_logits;
}

std::string detok(const xl::Tokenizer& tok, const std::vector<int>& ids) {
    std::string s;
    for (int id : ids) s += tok.decode_token(-1, id);
    return s;
}

}  // namespace

TEST_CASE("pth model: alilama checkpoint loads with the README's shapes and recipe") {
    const xl::Model& m = alilama();
    const xl::ModelConfig& c = m.config;
    CHECK(c.format == "pytorch zip");
    CHECK(c.architecture == "alilama");
    CHECK(c.name == "alilama_batches_512");
    CHECK(c.dim == 64);
    CHECK(c.n_layers == 4);
    CHECK(c.n_heads == 8);
    CHECK(c.n_kv_heads == 8);
    CHECK(c.head_dim == 8);
    CHECK(c.hidden_dim == 256);
    CHECK(c.vocab_size == 4000);
    CHECK(c.train_context_length == 128);
    CHECK(c.norm == xl::NormType::LayerNorm);
    CHECK(c.norm_eps == doctest::Approx(1e-5));
    CHECK(c.residual == xl::Residual::PostFirstNorm);
    CHECK(c.mlp == xl::MlpType::SiLU);
    CHECK_FALSE(c.final_norm);
    CHECK(c.tied_output);
    CHECK(c.position == xl::PositionSignal::ALiBi);
    // position-methods.md §13 table, H = 8: 2^-1 ... 2^-8.
    REQUIRE(c.alibi_slopes.size() == 8);
    for (int h = 0; h < 8; ++h) CHECK(c.alibi_slopes[size_t(h)] == doctest::Approx(std::ldexp(1.0, -(h + 1))));
    CHECK(c.metadata.at("params.max_seq_len") == "128");
    CHECK(c.metadata.at("checkpoint.iter") == "336");

    const xl::ModelWeights& w = m.weights;
    CHECK(w.token_embedding.rows == 4000);
    CHECK(w.token_embedding.cols == 64);
    CHECK(w.output.data == w.token_embedding.data);
    REQUIRE(w.layers.size() == 4);
    for (const xl::LayerWeights& L : w.layers) {
        for (const xl::Tensor* t : {&L.wq, &L.wk, &L.wv, &L.wo}) CHECK((t->rows == 64 && t->cols == 64 && t->data));
        CHECK((L.w1.rows == 256 && L.w1.cols == 64));
        CHECK((L.w2.rows == 64 && L.w2.cols == 256));
        CHECK(L.w3.empty());
        for (const xl::Tensor* t : {&L.attn_norm, &L.attn_norm_bias, &L.ffn_norm, &L.ffn_norm_bias})
            CHECK((t->rows == 1 && t->cols == 64 && t->type == xl::TensorType::F32 && t->data));
        CHECK(L.wq.data != L.wk.data);
        CHECK(L.wk.data != L.wv.data);
        const float* wo = reinterpret_cast<const float*>(L.wo.data);  // no output projection
        CHECK(wo[0] == 1.f);
        CHECK(wo[1] == 0.f);
        CHECK(wo[65] == 1.f);
    }
    // LayerNorm gains are trained values near 1, not zeros or garbage.
    const float* g = reinterpret_cast<const float*>(w.layers[0].attn_norm.data);
    CHECK(std::all_of(g, g + 64, [](float v) { return std::isfinite(v) && std::fabs(v) < 10.f; }));
    CHECK(std::accumulate(g, g + 64, 0.0) / 64 > 0.2);
    REQUIRE(m.tokenizer);
    CHECK(m.tokenizer->vocab_size() == 4000);
}

TEST_CASE("pth model: load_model picks the PyTorch reader by content") {
    xl::Model m = xl::load_model(kPth, kDir + "tokenizer.model");
    CHECK(m.config.architecture == "alilama");
    CHECK(m.config.n_layers == 4);
    REQUIRE(m.tokenizer);
    CHECK(m.tokenizer->kind() == "minbpe regex (GPT-4 split)");
}

TEST_CASE("pth model: TinyStories perplexity matches the logged eval loss") {
    const xl::Model& m = alilama();
    std::ifstream in(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    text = text.substr(0, text.find("\n<|endoftext|>\n"));
    std::replace(text.begin(), text.end(), '\n', ' ');  // the training format
    std::vector<int> tokens = m.tokenizer->encode(" STARTSTORY " + text, false);
    tokens.resize(std::min<size_t>(tokens.size(), 128));
    xl::CpuForward fwd(m);
    xl::ForwardRequest req{tokens, alibi_plan(m.config, int(tokens.size()))};
    const xl::ForwardResult r = fwd.run(req);
    REQUIRE(r.nll.size() == tokens.size() - 1);
    const double mean = std::accumulate(r.nll.begin(), r.nll.end(), 0.0) / double(r.nll.size());
    MESSAGE("alilama mean NLL over ", r.nll.size(), " tokens: ", mean);
    // The README's logged eval loss is about 2.6-2.8; a wrong block recipe gives 3.5 or more.
    CHECK(mean > 2.0);
    CHECK(mean < 3.1);
}

// Greedy continuation of `prompt` for `n_new` tokens, as text.
static std::string greedy(xl::CpuForward& fwd, const xl::Model& m, const std::string& prompt, size_t n_new) {
    std::vector<int> tokens = m.tokenizer->encode(prompt, false);
    const size_t n_prompt = tokens.size();
    while (tokens.size() < n_prompt + n_new) {
        const std::vector<float> lg = last_logits(fwd, m, tokens);
        tokens.push_back(int(std::max_element(lg.begin(), lg.end()) - lg.begin()));
    }
    return detok(*m.tokenizer, {tokens.begin() + long(n_prompt), tokens.end()});
}

TEST_CASE("pth model: greedy continuation of the README prompt") {
    const xl::Model& m = alilama();
    xl::CpuForward fwd(m);
    const std::string readme =
        ", there was a little girl named Lily. She loved to play outside and play with her friends. One day, "
        "Lily's friend Max came to play";
    const size_t n_readme = m.tokenizer->encode(readme, false).size();
    // From the documented prompt the continuation agrees with the README for its first 14 tokens,
    // then takes " in the park" (logit margin 0.52 over " and"; an independent float64 reference
    // of the README recipe gives the same).
    const std::string story = greedy(fwd, m, " STARTSTORY Once upon a time", 16);
    MESSAGE("greedy after ' STARTSTORY Once upon a time': \"", story, "\"");
    CHECK(story.rfind(", there was a little girl named Lily. She loved to play outside", 0) == 0);
    // The README's whole continuation is what greedy decoding gives without the " STARTSTORY "
    // document prefix.
    CHECK(greedy(fwd, m, "Once upon a time", n_readme) == readme);
}
