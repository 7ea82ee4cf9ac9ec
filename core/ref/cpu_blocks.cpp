// Shared pieces of the CPU forward pass (see cpu_blocks.hpp).
#include "core/ref/cpu_blocks.hpp"

#include "core/ref/ops.hpp"

namespace xl::ref {

const Tensor& layer_tensor(const LayerWeights& lw, int slot) {
    const Tensor* table[kLayerSlots] = {&lw.attn_norm, &lw.attn_norm_bias, &lw.wq, &lw.wk, &lw.wv, &lw.wo,
                                        &lw.ffn_norm, &lw.ffn_norm_bias, &lw.w1, &lw.w2, &lw.w3,
                                        &lw.bq, &lw.bk, &lw.bv, &lw.q_norm, &lw.k_norm,
                                        &lw.post_attn_norm, &lw.post_ffn_norm};
    return *table[slot];
}

// Float copy of one weight as an F32 tensor view of the cache (empty stays empty).
static Tensor f32_view(const Tensor& src, const std::vector<float>& data) {
    Tensor t = src;
    if (src.empty()) return t;
    t.type = TensorType::F32;
    t.data = reinterpret_cast<const uint8_t*>(data.data());
    return t;
}

Weights cached_weights(const ModelWeights& mw, std::vector<std::vector<float>>& cache) {
    const size_t slots = kModelSlots + size_t(kLayerSlots) * mw.layers.size();
    if (cache.size() != slots) {
        cache.assign(slots, {});
        auto fill = [&](size_t i, const Tensor& t) { if (!t.empty()) cache[i] = dequantize(t); };
        fill(kEmbedding, mw.token_embedding);
        fill(kOutputNorm, mw.output_norm);
        fill(kOutputNormBias, mw.output_norm_bias);
        if (!mw.output.empty() && mw.output.data != mw.token_embedding.data) fill(kOutput, mw.output);
        for (size_t l = 0; l < mw.layers.size(); ++l)
            for (int s = 0; s < kLayerSlots; ++s) fill(kModelSlots + l * kLayerSlots + s, layer_tensor(mw.layers[l], s));
    }
    Weights w;
    w.embedding = f32_view(mw.token_embedding, cache[kEmbedding]);
    w.output_norm = f32_view(mw.output_norm, cache[kOutputNorm]);
    w.output_norm_bias = f32_view(mw.output_norm_bias, cache[kOutputNormBias]);
    w.output = cache[kOutput].empty() ? w.embedding : f32_view(mw.output, cache[kOutput]);
    for (size_t l = 0; l < mw.layers.size(); ++l) {
        w.layers.emplace_back();
        for (int s = 0; s < kLayerSlots; ++s)
            w.layers.back()[s] = f32_view(layer_tensor(mw.layers[l], s), cache[kModelSlots + l * kLayerSlots + s]);
    }
    return w;
}

void norm(const ModelConfig& c, const Tensor& w, const Tensor& b, const float* x, int n, float* y) {
    const float* wp = reinterpret_cast<const float*>(w.data);
    if (c.norm == NormType::RMSNorm) {
        rmsnorm(x, wp, n, c.dim, c.norm_eps, y);
    } else {
        const float* bp = b.empty() ? nullptr : reinterpret_cast<const float*>(b.data);
        layernorm(x, wp, bp, n, c.dim, c.norm_eps, y);
    }
}

void mlp_block(const ModelConfig& c, const std::array<Tensor, kLayerSlots>& lw, const float* in, int n,
               std::vector<float>& h1, std::vector<float>& h3, float* out) {
    const int count = n * c.hidden_dim;
    matmul(lw[W1], in, n, h1.data());
    if (c.mlp == MlpType::SwiGLU || c.mlp == MlpType::GeGLU) {
        matmul(lw[W3], in, n, h3.data());
        if (c.mlp == MlpType::SwiGLU) swiglu(h1.data(), h3.data(), count, h1.data());
        else geglu(h1.data(), h3.data(), count, h1.data());
    } else {
        silu(h1.data(), count, h1.data());
    }
    matmul(lw[W2], h1.data(), n, out);
}

void residual_add(const ModelConfig& c, const Tensor& post_norm, const float* out, int n, float* x) {
    if (post_norm.empty()) add_inplace(x, out, n * c.dim);
    else rmsnorm_add(out, floats(post_norm), n, c.dim, c.norm_eps, x);
}

void qkv_projections(const ModelConfig& c, const std::array<Tensor, kLayerSlots>& lw, const float* in, int n,
                     float* q, float* k, float* v) {
    const int H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim;
    matmul(lw[Wq], in, n, q);
    matmul(lw[Wk], in, n, k);
    matmul(lw[Wv], in, n, v);
    if (!lw[Bq].empty()) affine(q, n * H * hd, 1.f, floats(lw[Bq]), H * hd);
    if (!lw[Bk].empty()) affine(k, n * KV * hd, 1.f, floats(lw[Bk]), KV * hd);
    if (!lw[Bv].empty()) affine(v, n * KV * hd, 1.f, floats(lw[Bv]), KV * hd);
    // Per-head RMSNorm of q and k (Qwen3, Gemma 3): rows of head_dim.
    if (!lw[QNorm].empty()) rmsnorm(q, floats(lw[QNorm]), n * H, hd, c.norm_eps, q);
    if (!lw[KNorm].empty()) rmsnorm(k, floats(lw[KNorm]), n * KV, hd, c.norm_eps, k);
}

}  // namespace xl::ref
