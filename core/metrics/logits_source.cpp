// LogitsSource implementations (see logits_source.hpp). The reference pass follows the block
// recipes of ModelConfig: PreNorm x += Attn(N1(x)); x += MLP(N2(x)), or PostFirstNorm
// x = N1(x); a = x + Attn(x); x = a + MLP(N2(a)); then the optional final norm and the classifier.
#include "core/metrics/logits_source.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <memory>

#include "core/error.hpp"
#include "core/ref/ops.hpp"

namespace xl {
namespace {

// Float copies of every weight (F32 tensor views into `store`).
struct RefWeights {
    std::vector<std::vector<float>> store;
    Tensor f32(const Tensor& t) {
        if (t.empty()) return t;
        store.push_back(dequantize(t));
        Tensor v = t;
        v.type = TensorType::F32;
        v.data = reinterpret_cast<const uint8_t*>(store.back().data());
        return v;
    }
    struct Layer {
        Tensor an, anb, wq, wk, wv, wo, fn, fnb, w1, w2, w3;
    };
    Tensor emb, on, onb, out;
    std::vector<Layer> layers;

    explicit RefWeights(const ModelWeights& w) {
        store.reserve(4 + 11 * w.layers.size());  // views point into `store`: no reallocation
        emb = f32(w.token_embedding);
        on = f32(w.output_norm);
        onb = f32(w.output_norm_bias);
        out = (w.output.empty() || w.output.data == w.token_embedding.data) ? emb : f32(w.output);
        for (const LayerWeights& l : w.layers)
            layers.push_back({f32(l.attn_norm), f32(l.attn_norm_bias), f32(l.wq), f32(l.wk), f32(l.wv), f32(l.wo),
                              f32(l.ffn_norm), f32(l.ffn_norm_bias), f32(l.w1), f32(l.w2), f32(l.w3)});
    }
};

const float* fp(const Tensor& t) { return t.empty() ? nullptr : reinterpret_cast<const float*>(t.data); }

void norm(const ModelConfig& c, const Tensor& w, const Tensor& b, const float* x, int n, float* y) {
    if (c.norm == NormType::RMSNorm) ref::rmsnorm(x, fp(w), n, c.dim, c.norm_eps, y);
    else ref::layernorm(x, fp(w), fp(b), n, c.dim, c.norm_eps, y);
}

void attention(const ModelConfig& c, const RefWeights::Layer& l, const PositionPlan& plan, const float* in, int n,
               float* out) {
    const int H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim;
    std::vector<float> q(size_t(n) * H * hd), k(size_t(n) * KV * hd), v(k.size()), att(q.size()), qf, kf;
    ref::matmul(l.wq, in, n, q.data());
    ref::matmul(l.wk, in, n, k.data());
    ref::matmul(l.wv, in, n, v.data());
    if (plan.far.enabled) {
        qf = q;
        kf = k;
        ref::rope_apply(qf.data(), n, H, hd, plan, plan.far.pos.q_pos, ref::RopeOperand::Query);
        ref::rope_apply(kf.data(), n, KV, hd, plan, plan.far.pos.k_pos, ref::RopeOperand::Key);
    }
    ref::rope_apply(q.data(), n, H, hd, plan, plan.near.q_pos, ref::RopeOperand::Query);
    ref::rope_apply(k.data(), n, KV, hd, plan, plan.near.k_pos, ref::RopeOperand::Key);
    ref::attention(q.data(), k.data(), plan.far.enabled ? qf.data() : nullptr, plan.far.enabled ? kf.data() : nullptr,
                   v.data(), n, H, KV, hd, plan, att.data());
    ref::matmul(l.wo, att.data(), n, out);
}

void mlp(const ModelConfig& c, const RefWeights::Layer& l, const float* in, int n, float* out) {
    const int count = n * c.hidden_dim;
    std::vector<float> h1(static_cast<size_t>(count)), h3;
    ref::matmul(l.w1, in, n, h1.data());
    if (c.mlp == MlpType::SwiGLU) {
        h3.resize(size_t(count));
        ref::matmul(l.w3, in, n, h3.data());
        ref::swiglu(h1.data(), h3.data(), count, h1.data());
    } else {
        ref::silu(h1.data(), count, h1.data());
    }
    ref::matmul(l.w2, h1.data(), n, out);
}

std::vector<float> run_reference(const Model& m, const RefWeights& w, const std::vector<int>& tokens,
                                 const PositionPlan& plan, int from) {
    const ModelConfig& c = m.config;
    const int n = int(tokens.size());
    // This pass knows the llama2.c / Llama blocks only: refuse the options of newer architectures
    // (biases, q/k norms, post-norms, GeGLU, embedding scale, several layer kinds) instead of
    // silently computing another model.
    bool options = c.mlp == MlpType::GeGLU || c.embedding_scale != 1.f || !c.layer_kinds.empty();
    for (const LayerWeights& l : m.weights.layers)
        options |= !l.bq.empty() || !l.q_norm.empty() || !l.post_attn_norm.empty() || !l.post_ffn_norm.empty();
    if (options)
        throw Error(ErrorKind::Unsupported, m.path, "the reference logits pass does not support architecture '" +
                                                        c.architecture + "' (use the Vulkan forward pass)");
    if (n < 1 || from < 0 || from >= n || plan.query_scale.size() < size_t(n))
        throw Error(ErrorKind::BadArgument, plan.method, "logits request does not fit the plan or the tokens");
    const size_t nd = size_t(n) * c.dim;
    std::vector<float> x(nd), xb(nd), tmp(nd);
    ref::embedding(w.emb, tokens.data(), n, x.data());
    for (const RefWeights::Layer& l : w.layers) {
        norm(c, l.an, l.anb, x.data(), n, xb.data());
        attention(c, l, plan, xb.data(), n, tmp.data());
        if (c.residual == Residual::PreNorm) {
            ref::add_inplace(x.data(), tmp.data(), int(nd));
            norm(c, l.fn, l.fnb, x.data(), n, xb.data());
            mlp(c, l, xb.data(), n, tmp.data());
            ref::add_inplace(x.data(), tmp.data(), int(nd));
        } else {  // PostFirstNorm: a = N1(x) + Attn(N1(x)); x = a + MLP(N2(a))
            ref::add_inplace(xb.data(), tmp.data(), int(nd));
            norm(c, l.fn, l.fnb, xb.data(), n, x.data());
            mlp(c, l, x.data(), n, tmp.data());
            ref::add_inplace(xb.data(), tmp.data(), int(nd));
            x.swap(xb);
        }
    }
    if (c.final_norm) {
        norm(c, w.on, w.onb, x.data(), n, xb.data());
        x.swap(xb);
    }
    std::vector<float> logits(size_t(n - from) * c.vocab_size);
    ref::matmul(w.out, x.data() + size_t(from) * c.dim, n - from, logits.data());
    return logits;
}

}  // namespace

std::vector<float> reference_all_logits(const Model& model, const std::vector<int>& tokens, const PositionPlan& plan,
                                        int from) {
    const RefWeights w(model.weights);
    return run_reference(model, w, tokens, plan, from);
}

LogitsSource reference_logits(const Model& model) {
    auto w = std::make_shared<const RefWeights>(model.weights);
    return [&model, w](const std::vector<int>& tokens, const PositionPlan& plan, int from) {
        return run_reference(model, *w, tokens, plan, from);
    };
}

LogitsSource forward_logits(Forward& forward) {
    return [&forward](const std::vector<int>& tokens, const PositionPlan& plan, int from) {
        const int n = int(tokens.size());
        assert(from >= 0 && from < n);
        ForwardRequest req;
        req.tokens = tokens;
        req.plan = plan;
        req.want_nll = false;
        req.want_all_logits = true;
        req.all_logits_from = from;
        ForwardResult r = forward.run(req);
        if (!r.all_logits.empty()) return std::move(r.all_logits);
        std::vector<float> out;
        for (int i = from; i < n; ++i) {  // causal: the first i+1 tokens under the same plan
            ForwardRequest one;
            one.tokens.assign(tokens.begin(), tokens.begin() + i + 1);
            one.plan = plan;
            one.want_nll = false;
            one.want_last_logits = true;
            const ForwardResult lr = forward.run(one);
            out.insert(out.end(), lr.last_logits.begin(), lr.last_logits.end());
        }
        return out;
    };
}

void log_softmax_row(const float* logits, int vocab, std::vector<double>& out) {
    out.resize(size_t(vocab));
    double mx = -std::numeric_limits<double>::infinity();
    for (int v = 0; v < vocab; ++v) mx = std::max(mx, double(logits[v]));
    double sum = 0;
    for (int v = 0; v < vocab; ++v) sum += std::exp(double(logits[v]) - mx);
    const double lse = mx + std::log(sum);
    for (int v = 0; v < vocab; ++v) out[size_t(v)] = double(logits[v]) - lse;
}

}  // namespace xl
