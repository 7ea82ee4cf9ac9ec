// CpuForward on tiny synthetic models: causality, the far branch, the attention probe, last
// logits, and each block recipe against a one-token composition of the reference ops.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/ops.hpp"
#include "test_ref_plan.hpp"

namespace {

// A model whose weights live in one owned buffer list, filled from a fixed pseudo-random sequence.
struct SyntheticModel {
    xl::Model model;
    std::shared_ptr<std::vector<std::vector<float>>> buffers = std::make_shared<std::vector<std::vector<float>>>();
    uint32_t state = 12345;

    float next() {  // LCG in [−0.5, 0.5)
        state = state * 1664525u + 1013904223u;
        return float(state >> 8) / float(1u << 24) - 0.5f;
    }
    xl::Tensor tensor(const char* name, int64_t rows, int64_t cols, float scale, float offset = 0.f) {
        buffers->emplace_back(size_t(rows * cols));
        for (float& x : buffers->back()) x = offset + scale * next();
        xl::Tensor t;
        t.name = name;
        t.rows = rows;
        t.cols = cols;
        t.data = reinterpret_cast<const uint8_t*>(buffers->back().data());
        return t;
    }
};

std::unique_ptr<SyntheticModel> make_model(xl::NormType norm, xl::Residual res, xl::MlpType mlp, bool final_norm,
                                           bool tied, xl::PositionSignal pos = xl::PositionSignal::RoPE) {
    auto s = std::make_unique<SyntheticModel>();
    s->buffers->reserve(64);  // tensors point into the vectors: no reallocation of the outer list
    xl::ModelConfig& c = s->model.config;
    c.dim = 8, c.hidden_dim = 12, c.n_layers = 2, c.n_heads = 2, c.n_kv_heads = 1, c.head_dim = 4;
    c.vocab_size = 10, c.rope_dim = 4, c.norm = norm, c.residual = res, c.mlp = mlp;
    c.final_norm = final_norm, c.tied_output = tied, c.position = pos;
    auto& w = s->model.weights;
    w.token_embedding = s->tensor("emb", 10, 8, 2.f);
    for (int l = 0; l < 2; ++l) {
        xl::LayerWeights lw;
        lw.attn_norm = s->tensor("an", 1, 8, 0.4f, 1.f);
        lw.ffn_norm = s->tensor("fn", 1, 8, 0.4f, 1.f);
        if (norm == xl::NormType::LayerNorm) {
            lw.attn_norm_bias = s->tensor("anb", 1, 8, 0.2f);
            lw.ffn_norm_bias = s->tensor("fnb", 1, 8, 0.2f);
        }
        lw.wq = s->tensor("wq", 8, 8, 1.f);
        lw.wk = s->tensor("wk", 4, 8, 1.f);
        lw.wv = s->tensor("wv", 4, 8, 1.f);
        lw.wo = s->tensor("wo", 8, 8, 0.5f);
        lw.w1 = s->tensor("w1", 12, 8, 0.8f);
        lw.w2 = s->tensor("w2", 8, 12, 0.5f);
        if (mlp == xl::MlpType::SwiGLU) lw.w3 = s->tensor("w3", 12, 8, 0.8f);
        w.layers.push_back(lw);
    }
    if (final_norm) w.output_norm = s->tensor("on", 1, 8, 0.4f, 1.f);
    if (final_norm && norm == xl::NormType::LayerNorm) w.output_norm_bias = s->tensor("onb", 1, 8, 0.2f);
    w.output = tied ? w.token_embedding : s->tensor("out", 10, 8, 1.f);
    return s;
}

xl::ForwardRequest request(const xl::ModelConfig& c, std::vector<int> tokens) {
    xl::ForwardRequest r;
    r.tokens = std::move(tokens);
    r.plan = xl::test::plain_rope_plan(c, int(r.tokens.size()));
    return r;
}

// One token through the model by direct composition of ops (attention of one token returns v).
std::vector<float> one_token_logits(const xl::Model& m, int token) {
    const auto& c = m.config;
    auto f = [](const xl::Tensor& t) { return t.empty() ? nullptr : reinterpret_cast<const float*>(t.data); };
    auto nrm = [&](const xl::Tensor& w, const xl::Tensor& b, const std::vector<float>& x) {
        std::vector<float> y(x.size());
        if (c.norm == xl::NormType::RMSNorm) xl::ref::rmsnorm(x.data(), f(w), 1, c.dim, c.norm_eps, y.data());
        else xl::ref::layernorm(x.data(), f(w), f(b), 1, c.dim, c.norm_eps, y.data());
        return y;
    };
    auto mm = [](const xl::Tensor& w, const std::vector<float>& x) {
        std::vector<float> y(size_t(w.rows));
        xl::ref::matmul(w, x.data(), 1, y.data());
        return y;
    };
    std::vector<float> x(size_t(c.dim));
    xl::ref::embedding(m.weights.token_embedding, &token, 1, x.data());
    for (const auto& lw : m.weights.layers) {
        auto attn = [&](const std::vector<float>& in) {
            std::vector<float> v = mm(lw.wv, in), full;
            for (int h = 0; h < c.n_heads; ++h) full.insert(full.end(), v.begin(), v.end());  // KV = 1
            return mm(lw.wo, full);
        };
        auto mlp = [&](const std::vector<float>& in) {
            std::vector<float> g = mm(lw.w1, in), h(g.size());
            if (c.mlp == xl::MlpType::SwiGLU) xl::ref::swiglu(g.data(), mm(lw.w3, in).data(), int(g.size()), h.data());
            else xl::ref::silu(g.data(), int(g.size()), h.data());
            return mm(lw.w2, h);
        };
        if (c.residual == xl::Residual::PreNorm) {
            auto a = attn(nrm(lw.attn_norm, lw.attn_norm_bias, x));
            for (int i = 0; i < c.dim; ++i) x[size_t(i)] += a[size_t(i)];
            auto o = mlp(nrm(lw.ffn_norm, lw.ffn_norm_bias, x));
            for (int i = 0; i < c.dim; ++i) x[size_t(i)] += o[size_t(i)];
        } else {
            x = nrm(lw.attn_norm, lw.attn_norm_bias, x);
            auto a = attn(x);
            for (int i = 0; i < c.dim; ++i) x[size_t(i)] += a[size_t(i)];
            auto o = mlp(nrm(lw.ffn_norm, lw.ffn_norm_bias, x));
            for (int i = 0; i < c.dim; ++i) x[size_t(i)] += o[size_t(i)];
        }
    }
    if (c.final_norm) x = nrm(m.weights.output_norm, m.weights.output_norm_bias, x);
    return mm(m.weights.output, x);
}

const std::vector<int> kTokens = {1, 4, 7, 2, 9, 3, 3, 5, 0, 8, 6, 1};

}  // namespace

TEST_CASE("ref forward: block recipes match a one-token composition of ops") {
    using xl::NormType, xl::Residual, xl::MlpType;
    struct Recipe { NormType norm; Residual res; MlpType mlp; bool final_norm, tied; };
    const Recipe recipes[] = {{NormType::RMSNorm, Residual::PreNorm, MlpType::SwiGLU, true, true},
                              {NormType::RMSNorm, Residual::PreNorm, MlpType::SwiGLU, true, false},
                              {NormType::LayerNorm, Residual::PostFirstNorm, MlpType::SiLU, false, true},
                              {NormType::LayerNorm, Residual::PreNorm, MlpType::SiLU, true, false}};
    for (const Recipe& r : recipes) {
        auto s = make_model(r.norm, r.res, r.mlp, r.final_norm, r.tied);
        xl::CpuForward fwd(s->model);
        auto req = request(s->model.config, {6});
        req.want_last_logits = true;
        const auto res = fwd.run(req);
        const auto expect = one_token_logits(s->model, 6);
        REQUIRE(res.last_logits.size() == expect.size());
        for (size_t i = 0; i < expect.size(); ++i) CHECK(res.last_logits[i] == doctest::Approx(expect[i]).epsilon(1e-5));
        CHECK(res.nll.empty());  // one token: nothing to score
    }
}

TEST_CASE("ref forward: causal, and last logits agree with the NLL") {
    auto s = make_model(xl::NormType::RMSNorm, xl::Residual::PreNorm, xl::MlpType::SwiGLU, true, true);
    xl::CpuForward fwd(s->model);
    const auto full = fwd.run(request(s->model.config, kTokens));
    REQUIRE(full.nll.size() == kTokens.size() - 1);
    const std::vector<int> prefix(kTokens.begin(), kTokens.begin() + 7);
    auto req = request(s->model.config, prefix);
    req.want_last_logits = true;
    const auto part = fwd.run(req);
    for (size_t i = 0; i < part.nll.size(); ++i) CHECK(part.nll[i] == doctest::Approx(full.nll[i]).epsilon(1e-6));
    float nll_last = 0;
    const int target = kTokens[7];
    xl::ref::nll(part.last_logits.data(), 1, 10, &target, &nll_last);
    CHECK(nll_last == doctest::Approx(full.nll[6]).epsilon(1e-6));
    for (float x : full.nll) CHECK(std::isfinite(x));
}

TEST_CASE("ref forward: far branch with near positions changes nothing - other positions do") {
    auto s = make_model(xl::NormType::RMSNorm, xl::Residual::PreNorm, xl::MlpType::SwiGLU, true, true);
    xl::CpuForward fwd(s->model);
    auto req = request(s->model.config, kTokens);
    const auto base = fwd.run(req);
    req.plan.far.enabled = true;
    req.plan.far.neighbour_window = 3;
    req.plan.far.pos = req.plan.near;
    const auto same = fwd.run(req);
    for (size_t i = 0; i < base.nll.size(); ++i) CHECK(same.nll[i] == doctest::Approx(base.nll[i]).epsilon(1e-6));
    // Far keys at position 0 and queries at 3 (a ReRoPE-like cap): rows with i − j >= 3 change.
    std::fill(req.plan.far.pos.k_pos.begin(), req.plan.far.pos.k_pos.end(), 0.f);
    std::fill(req.plan.far.pos.q_pos.begin(), req.plan.far.pos.q_pos.end(), 3.f);
    const auto capped = fwd.run(req);
    for (size_t i = 0; i < 3; ++i) CHECK(capped.nll[i] == doctest::Approx(base.nll[i]).epsilon(1e-6));
    double diff = 0;
    for (size_t i = 3; i < base.nll.size(); ++i) diff += std::fabs(capped.nll[i] - base.nll[i]);
    CHECK(diff > 1e-4);
}

TEST_CASE("ref forward: attention probe, full and reduced") {
    auto s = make_model(xl::NormType::LayerNorm, xl::Residual::PostFirstNorm, xl::MlpType::SiLU, false, true,
                        xl::PositionSignal::ALiBi);
    xl::CpuForward fwd(s->model);
    auto req = request(s->model.config, kTokens);
    CHECK(req.plan.alibi_slopes.size() == 2);
    req.want_attention = true;
    req.probe = {1, -1, 0};
    const auto full = fwd.run(req);
    const int n = int(kTokens.size());
    REQUIRE(full.attention_rows == n);
    REQUIRE(full.attention.size() == size_t(n * n));
    for (int i = 0; i < n; ++i) {
        double row = 0;
        for (int j = 0; j < n; ++j) row += full.attention[size_t(i * n + j)];
        CHECK(row == doctest::Approx(1.0).epsilon(1e-5));
        if (i + 1 < n) CHECK(full.attention[size_t(i * n + i + 1)] == 0.f);
    }
    req.probe.grid = 4;
    const auto grid = fwd.run(req);
    CHECK(grid.attention_rows == 4);
    CHECK(grid.attention == xl::ref::reduce_grid(full.attention, n, 4));
}

TEST_CASE("ref forward: bad requests are user errors") {
    auto s = make_model(xl::NormType::RMSNorm, xl::Residual::PreNorm, xl::MlpType::SwiGLU, true, true);
    xl::CpuForward fwd(s->model);
    CHECK(fwd.max_tokens() > 10000);
    auto req = request(s->model.config, {1, 2, 3});
    req.tokens.push_back(4);  // plan built for 3 tokens
    CHECK_THROWS_AS(fwd.run(req), xl::Error);
    auto bad = request(s->model.config, {1, 99});
    CHECK_THROWS_AS(fwd.run(bad), xl::Error);
}
