// VulkanForward: weight upload, buffer sizing, memory bound, request checks.
#include <algorithm>

#include "core/error.hpp"
#include "core/gpu/fault_injection.hpp"
#include "core/forward/vulkan_forward_impl.hpp"

namespace xl {
namespace {

constexpr int64_t kLogitsBudget = int64_t(64) << 20;   // bytes of one classifier chunk
constexpr int64_t kDeviceSlack = int64_t(128) << 20;    // driver / staging headroom

gpu::Buffer maybe_f32(gpu::Context& ctx, const Tensor& t) { return t.empty() ? gpu::Buffer() : upload_f32(ctx, t); }

gpu::Buffer sized(gpu::Context& ctx, int64_t floats) { return gpu::Buffer(ctx, uint64_t(std::max<int64_t>(floats, 1)) * 4); }

}  // namespace

VulkanForward::Impl::Impl(const Model& m, std::shared_ptr<gpu::Context> c) : model(m), ctx(std::move(c)) {
    upload_weights();
    rec = std::make_unique<gpu::Recorder>(*ctx);
}

void VulkanForward::Impl::upload_weights() {
    const ModelConfig& c = model.config;
    const ModelWeights& w = model.weights;
    if (c.n_kv_heads <= 0 || c.n_heads % c.n_kv_heads != 0 || c.head_dim <= 0)
        throw Error(ErrorKind::Unsupported, model.path, "head layout not supported by the Vulkan forward pass");
    embedding = upload_tensor(*ctx, w.token_embedding);
    tied = w.output.empty() || w.output.data == w.token_embedding.data;
    if (!tied) output = upload_tensor(*ctx, w.output);
    output_norm = maybe_f32(*ctx, w.output_norm);
    output_norm_bias = maybe_f32(*ctx, w.output_norm_bias);
    weight_bytes = embedding.bytes() + (tied ? 0 : output.bytes());
    for (const LayerWeights& lw : w.layers) {
        if (c.residual != Residual::PreNorm && (!lw.post_attn_norm.empty() || !lw.post_ffn_norm.empty()))
            throw Error(ErrorKind::Unsupported, model.path, "post-norms are supported with pre-norm blocks only");
        GpuLayer g;
        g.attn_norm = maybe_f32(*ctx, lw.attn_norm);
        g.attn_norm_bias = maybe_f32(*ctx, lw.attn_norm_bias);
        g.ffn_norm = maybe_f32(*ctx, lw.ffn_norm);
        g.ffn_norm_bias = maybe_f32(*ctx, lw.ffn_norm_bias);
        g.wq = upload_tensor(*ctx, lw.wq);
        g.wk = upload_tensor(*ctx, lw.wk);
        g.wv = upload_tensor(*ctx, lw.wv);
        g.wo = upload_tensor(*ctx, lw.wo);
        g.w1 = upload_tensor(*ctx, lw.w1);
        g.w2 = upload_tensor(*ctx, lw.w2);
        if (c.mlp != MlpType::SiLU) g.w3 = upload_tensor(*ctx, lw.w3);
        g.bq = maybe_f32(*ctx, lw.bq);
        g.bk = maybe_f32(*ctx, lw.bk);
        g.bv = maybe_f32(*ctx, lw.bv);
        g.q_norm = maybe_f32(*ctx, lw.q_norm);
        g.k_norm = maybe_f32(*ctx, lw.k_norm);
        g.post_attn_norm = maybe_f32(*ctx, lw.post_attn_norm);
        g.post_ffn_norm = maybe_f32(*ctx, lw.post_ffn_norm);
        g.kind = layer_kind_index(c, int(layers.size()));
        weight_bytes += g.wq.bytes() + g.wk.bytes() + g.wv.bytes() + g.wo.bytes() + g.w1.bytes() + g.w2.bytes() +
                        g.w3.bytes() + 8 * uint64_t(c.dim);
        layers.push_back(std::move(g));
    }
}

// Per-token bytes of every activation but the MLP's hidden pair (vulkan_forward_impl.hpp).
int64_t VulkanForward::Impl::bytes_per_token() const {
    const ModelConfig& c = model.config;
    const int64_t qd = int64_t(c.n_heads) * c.head_dim, kvd = int64_t(c.n_kv_heads) * c.head_dim;
    // x, xb; q, qf, att; k, kf, v; lse; tokens, nll; per layer kind 4 positions, query_scale.
    const int64_t kinds = int64_t(layer_kinds_of(c).size());
    return 4 * (2 * c.dim + 3 * qd + 3 * kvd + c.n_heads + 2 + 5 * kinds);
}

int64_t VulkanForward::Impl::storage_range() const {
    return int64_t(gpu::storage_buffer_range(ctx->properties().limits.maxStorageBufferRange));
}

// The MLP runs over tokens in chunks whose hidden activations (h1, h3: rows × hidden_dim) fit one
// storage binding, in whole matmul tiles: lavapipe binds 128 MiB, which SmolLM2's 1536-wide
// hidden layer fills at 21845 tokens. Devices with larger bindings take the whole pass at once.
int64_t VulkanForward::Impl::mlp_chunk_tokens() const {
    const int64_t fit = storage_range() / (4 * int64_t(std::max(model.config.hidden_dim, 1)));
    const int64_t tile = GpuOps::kMatmulTokens;
    return fit >= tile ? fit / tile * tile : std::max<int64_t>(fit, 1);
}

int64_t VulkanForward::Impl::activation_bytes(int64_t n) const {
    const int64_t n1 = std::max<int64_t>(n, 1);
    return n1 * bytes_per_token() + std::min(n1, mlp_chunk_tokens()) * 8 * int64_t(model.config.hidden_dim);
}

// Classifier rows per chunk: as many as the logits budget holds, in whole matmul tiles (512
// tokens, or 256 / 128 / 64 with fewer tokens per lane when the vocabulary is too large for 512:
// SmolLM2's 49152 entries take 256, Gemma 3's 262144 take 64). Rounding to 512 alone gave one
// row per chunk above 32768 entries, a 512-token tile for each token.
int64_t VulkanForward::Impl::chunk_rows(int n) const {
    const int64_t rows = kLogitsBudget / (int64_t(model.config.vocab_size) * 4);
    int64_t tile = GpuOps::kMatmulTokens;
    while (tile > XL_MATMUL_GROUP && rows < tile) tile /= 2;
    return std::clamp<int64_t>(rows >= tile ? rows / tile * tile : rows, 1, std::max(n, 1));
}

int64_t VulkanForward::Impl::free_device_bytes(int n) const {
    const int64_t logits = chunk_rows(n) * model.config.vocab_size * 4;
    const int64_t device = int64_t(gpu::device_memory_budget(ctx->device_local_bytes()));
    return device - int64_t(weight_bytes) - activation_bytes(std::max(n, act.capacity)) - logits - kDeviceSlack;
}

int64_t VulkanForward::Impl::max_tokens() const {
    const ModelConfig& c = model.config;
    const int64_t logits = chunk_rows(1 << 30) * c.vocab_size * 4;
    const int64_t budget = int64_t(ctx->device_local_bytes()) - int64_t(weight_bytes) - logits - kDeviceSlack;
    const int64_t mlp = mlp_chunk_tokens() * 8 * int64_t(c.hidden_dim);  // h1 and h3 of one chunk
    const int64_t by_memory = budget >= mlp ? (budget - mlp) / bytes_per_token()
                                            : std::max<int64_t>(0, budget / (bytes_per_token() + 8 * int64_t(c.hidden_dim)));
    // Every other per-token buffer must fit one storage-buffer binding.
    const int64_t widest = 4 * std::max(int64_t(c.dim), int64_t(c.n_heads) * c.head_dim);
    return std::min(by_memory, storage_range() / widest);
}

void VulkanForward::Impl::ensure_capacity(int n) {
    if (n <= act.capacity) return;
    const ModelConfig& c = model.config;
    const int cap = std::max(n, (n + 255) / 256 * 256);
    const int64_t qd = int64_t(c.n_heads) * c.head_dim, kvd = int64_t(c.n_kv_heads) * c.head_dim;
    act = GpuActivations{};  // release the old buffers before allocating larger ones
    // Allocated into `a` and kept only when every buffer was allocated: an allocation that fails
    // (device memory exhausted) leaves no capacity claimed by missing buffers for the next pass.
    GpuActivations a;
    gpu::Context& g = *ctx;
    a.capacity = cap;
    a.chunk = int(chunk_rows(cap));
    a.tokens = sized(g, cap);
    a.x = sized(g, cap * int64_t(c.dim));
    a.xb = sized(g, cap * int64_t(c.dim));
    a.q = sized(g, cap * qd);
    a.qf = sized(g, cap * qd);
    a.att = sized(g, cap * qd);
    a.k = sized(g, cap * kvd);
    a.kf = sized(g, cap * kvd);
    a.v = sized(g, cap * kvd);
    a.lse = sized(g, cap * int64_t(c.n_heads));
    a.mlp_chunk = int(std::min<int64_t>(cap, mlp_chunk_tokens()));
    a.h1 = sized(g, int64_t(a.mlp_chunk) * c.hidden_dim);
    a.h3 = sized(g, int64_t(a.mlp_chunk) * c.hidden_dim);
    a.logits = sized(g, int64_t(a.chunk) * c.vocab_size);
    a.nll = sized(g, cap);
    a.plans.resize(layer_kinds_of(c).size());
    for (GpuPlanBuffers& p : a.plans) {
        p.q_pos = sized(g, cap);
        p.k_pos = sized(g, cap);
        p.qf_pos = sized(g, cap);
        p.kf_pos = sized(g, cap);
        p.query_scale = sized(g, cap);
        p.slopes = sized(g, std::max(c.n_heads, 1));
        p.inv_freq = sized(g, std::max(c.head_dim / 2, 1));
        p.xpos_log2_zeta = sized(g, std::max(c.head_dim / 2, 1));
    }
    act = std::move(a);
}

void VulkanForward::Impl::check_request(const ForwardRequest& r) const {
    const ModelConfig& c = model.config;
    const int64_t n = int64_t(r.tokens.size());
    validate_request(c, r, max_tokens(), ctx->device_name());
    if (r.want_attention) {
        const int64_t g = r.probe.grid > 0 ? r.probe.grid : n;
        if (g * g * 4 > int64_t(ctx->properties().limits.maxStorageBufferRange))
            throw Error(ErrorKind::OutOfMemory, ctx->device_name(),
                        "an attention map of " + std::to_string(g) + "×" + std::to_string(g) +
                            " does not fit one device buffer; ask for a grid");
    }
    const int64_t row_bytes = int64_t(c.n_layers) * c.n_heads * int64_t(r.attention_rows.size()) * n * 4;
    if (row_bytes > int64_t(ctx->properties().limits.maxStorageBufferRange))
        throw Error(ErrorKind::OutOfMemory, ctx->device_name(),
                    "the attention of " + std::to_string(r.attention_rows.size()) + " rows over " + std::to_string(n) +
                        " keys in every layer and head does not fit one device buffer; ask for fewer rows");
    if (r.stats.want && 2 * int64_t(c.n_layers) * c.n_heads * n * 4 > int64_t(ctx->properties().limits.maxStorageBufferRange))
        throw Error(ErrorKind::OutOfMemory, ctx->device_name(),
                    "the attention statistics of " + std::to_string(n) + " tokens (every layer and head) do not fit one device buffer");
}

}  // namespace xl
