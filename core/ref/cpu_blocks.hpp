// Pieces of the scalar CPU forward pass shared by the whole-sequence pass (cpu_forward.cpp) and
// the chunked KV-cache simulation (kv_eviction.cpp): F32 views of the dequantised weights, the
// norm, the MLP sub-block and the residual add. All are compositions of core/ref/ops.hpp.
#pragma once
#include <array>
#include <vector>

#include "core/model/model.hpp"

namespace xl::ref {

// Layout of the dequantised cache: 4 model-level tensors, then kLayerSlots per layer.
constexpr int kEmbedding = 0, kOutputNorm = 1, kOutputNormBias = 2, kOutput = 3, kModelSlots = 4;
enum LayerSlot {
    AttnNorm, AttnNormBias, Wq, Wk, Wv, Wo, FfnNorm, FfnNormBias, W1, W2, W3,
    Bq, Bk, Bv, QNorm, KNorm, PostAttnNorm, PostFfnNorm, kLayerSlots
};

const Tensor& layer_tensor(const LayerWeights& lw, int slot);
inline const float* floats(const Tensor& t) { return reinterpret_cast<const float*>(t.data); }

// Everything one run needs, resolved once: F32 views of the cached weights.
struct Weights {
    Tensor embedding, output_norm, output_norm_bias, output;
    std::vector<std::array<Tensor, kLayerSlots>> layers;
};

// F32 views of every weight, dequantised into `cache` on first use (the cache is filled once).
Weights cached_weights(const ModelWeights& mw, std::vector<std::vector<float>>& cache);

// RMSNorm or LayerNorm of n rows, as the model's config says.
void norm(const ModelConfig& c, const Tensor& w, const Tensor& b, const float* x, int n, float* y);

// MLP sub-block: SwiGLU w2(silu(w1 x) * w3 x), GeGLU w2(gelu_tanh(w1 x) * w3 x) or SiLU w2(silu(w1 x)).
// h1, h3: scratch of n·hidden_dim floats (h3 unused for SiLU).
void mlp_block(const ModelConfig& c, const std::array<Tensor, kLayerSlots>& lw, const float* in, int n,
               std::vector<float>& h1, std::vector<float>& h3, float* out);

// x += sub-block output, through the post-norm when the layer has one (Gemma 3 sandwich).
void residual_add(const ModelConfig& c, const Tensor& post_norm, const float* out, int n, float* x);

// q, k, v projections of n normed rows with the optional biases and per-head q/k RMSNorm,
// before any rotation: q [n][H][hd], k and v [n][KV][hd].
void qkv_projections(const ModelConfig& c, const std::array<Tensor, kLayerSlots>& lw, const float* in, int n,
                     float* q, float* k, float* v);

}  // namespace xl::ref
