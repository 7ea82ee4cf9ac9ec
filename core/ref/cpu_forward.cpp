// The scalar CPU forward pass (see cpu_forward.hpp), composed only of the ops in ops.hpp so that
// a disagreement with the GPU can be traced to one op. Block recipes are rows of ModelConfig:
//   PreNorm (Llama):        x += Attn(N1(x));  x += MLP(N2(x))
//   PreNorm + post-norms (Gemma 3): x += P1(Attn(N1(x)));  x += P2(MLP(N2(x)))
//   PostFirstNorm (alilama): x = N1(x);  a = x + Attn(x);  x = a + MLP(N2(a))
// Optional per-layer tensors switch their step on: q/k/v biases after the projections, per-head
// q/k RMSNorm before RoPE; each layer attends with the plan of its layer kind.
#include "core/ref/cpu_forward.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>

#include "core/error.hpp"
#include "core/ref/attention_stats.hpp"
#include "core/ref/cpu_blocks.hpp"
#include "core/ref/ops.hpp"

namespace xl {
using namespace ref;  // the shared blocks of cpu_blocks.hpp
namespace {

int64_t host_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return int64_t(4) << 30;  // unknown: assume 4 GiB
    return int64_t(pages) * int64_t(page);
}

// Floats of activations kept per token during one run (x, normed x, residual copy, q, k, v,
// far copies of q and k, attention output, two MLP hidden buffers, a classifier chunk row).
int64_t floats_per_token(const ModelConfig& c) {
    const int64_t qd = int64_t(c.n_heads) * c.head_dim, kvd = int64_t(c.n_kv_heads) * c.head_dim;
    return 4 * int64_t(c.dim) + 3 * qd + 4 * kvd + 2 * int64_t(c.hidden_dim);
}

struct Buffers {
    std::vector<float> x, xb, tmp, q, k, v, qf, kf, att, h1, h3;
};

}  // namespace

CpuForward::CpuForward(const Model& model) : model_(model) {}

int64_t CpuForward::max_tokens() const {
    const ModelConfig& c = model_.config;
    int64_t weights = 0;
    for (const auto& lw : model_.weights.layers)
        for (int s = 0; s < kLayerSlots; ++s) weights += layer_tensor(lw, s).rows * layer_tensor(lw, s).cols;
    weights += 2 * model_.weights.token_embedding.rows * model_.weights.token_embedding.cols;
    const int64_t budget = host_memory_bytes() / 2 - weights * int64_t(sizeof(float));
    const int64_t n = budget / (floats_per_token(c) * int64_t(sizeof(float)));
    return std::max<int64_t>(0, std::min<int64_t>(n, int64_t(1) << 24));
}

namespace {

// Attention sub-block: reads `in` (normed) and writes the projected output to `out`.
// With `stats`, also the attention statistics of layer `layer` (ref::attention_stats).
void attention_block(const ModelConfig& c, const std::array<Tensor, kLayerSlots>& lw, const PositionPlan& plan,
                     const float* in, int n, Buffers& b, float* out, float* probs, int probe_head,
                     const std::vector<int>& rows, float* row_probs, const AttentionStatsRequest& want, int layer,
                     AttentionStats* stats) {
    const int H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim;
    qkv_projections(c, lw, in, n, b.q.data(), b.k.data(), b.v.data());
    if (plan.far.enabled) {  // far branch: the same q/k rotated with the far positions
        b.qf = b.q;
        b.kf = b.k;
        ref::rope_apply(b.qf.data(), n, H, hd, plan, plan.far.pos.q_pos, ref::RopeOperand::Query);
        ref::rope_apply(b.kf.data(), n, KV, hd, plan, plan.far.pos.k_pos, ref::RopeOperand::Key);
    }
    ref::rope_apply(b.q.data(), n, H, hd, plan, plan.near.q_pos, ref::RopeOperand::Query);
    ref::rope_apply(b.k.data(), n, KV, hd, plan, plan.near.k_pos, ref::RopeOperand::Key);
    ref::attention(b.q.data(), b.k.data(), plan.far.enabled ? b.qf.data() : nullptr,
                   plan.far.enabled ? b.kf.data() : nullptr, b.v.data(), n, H, KV, hd, plan, b.att.data(),
                   probs, probe_head);
    if (!rows.empty())
        ref::attention_rows(b.q.data(), b.k.data(), plan.far.enabled ? b.qf.data() : nullptr,
                            plan.far.enabled ? b.kf.data() : nullptr, n, H, KV, hd, plan, rows, row_probs);
    if (stats)
        ref::attention_stats(b.q.data(), b.k.data(), plan.far.enabled ? b.qf.data() : nullptr,
                             plan.far.enabled ? b.kf.data() : nullptr, n, H, KV, hd, plan, want.sink_tokens, layer, *stats);
    ref::matmul(lw[Wo], b.att.data(), n, out);
}

void check_request(const ModelConfig& c, const ForwardRequest& r, int64_t max_n) {
    const int64_t n = int64_t(r.tokens.size());
    validate_request(c, r, max_n, "CPU reference");
    if (r.want_attention) {
        if (n * n * int64_t(sizeof(float)) > host_memory_bytes() / 4)
            throw Error(ErrorKind::OutOfMemory, "CPU reference", "an n×n attention map of " + std::to_string(n) +
                                                                      " tokens does not fit in host memory");
    }
}


// Classifier over the final hidden states `x` [n][dim], in chunks of rows so that n × vocab
// logits never live at once: per-token NLL of the next token and/or the last row's logits.
void classify(const ModelConfig& c, const Tensor& output, const std::vector<float>& x, const ForwardRequest& request,
              ForwardResult& result) {
    const int n = int(request.tokens.size()), V = c.vocab_size, chunk = 64;
    // Rows from .. n-1 for want_all_logits, streamed to logits_sink or collected (forward.hpp).
    const int from = request.want_all_logits ? std::clamp(request.all_logits_from, 0, n) : n;
    std::vector<float> logits(size_t(chunk) * V);
    if (request.want_nll && n > 1) result.nll.resize(size_t(n) - 1);
    for (int t0 = 0; t0 < n; t0 += chunk) {
        const int rows = std::min(chunk, n - t0);
        const bool has_last = t0 + rows == n;
        const int scored = std::min(rows, n - 1 - t0);  // rows that have a next token
        const bool wanted_rows = t0 + rows > from;
        if (!(request.want_nll && scored > 0) && !(request.want_last_logits && has_last) && !wanted_rows) continue;
        ref::matmul(output, x.data() + size_t(t0) * c.dim, rows, logits.data());
        if (request.want_nll && scored > 0)
            ref::nll(logits.data(), scored, V, request.tokens.data() + t0 + 1, result.nll.data() + t0);
        if (request.want_last_logits && has_last)
            result.last_logits.assign(logits.begin() + size_t(rows - 1) * V, logits.begin() + size_t(rows) * V);
        if (wanted_rows) {
            const int first = std::max(from, t0) - t0, count = rows - first;
            const float* p = logits.data() + size_t(first) * V;
            if (request.logits_sink)
                request.logits_sink(t0 + first - from, count, p);
            else
                result.all_logits.insert(result.all_logits.end(), p, p + size_t(count) * V);
        }
    }
}

}  // namespace

ForwardResult CpuForward::run(const ForwardRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    const ModelConfig& c = model_.config;
    check_request(c, request, max_tokens());

    const Weights w = cached_weights(model_.weights, dequantized_);
    const int n = int(request.tokens.size());
    const size_t nd = size_t(n) * c.dim;
    Buffers b;
    b.x.resize(nd); b.xb.resize(nd); b.tmp.resize(nd);
    b.q.resize(size_t(n) * c.n_heads * c.head_dim);
    b.att.resize(b.q.size());
    b.k.resize(size_t(n) * c.n_kv_heads * c.head_dim);
    b.v.resize(b.k.size());
    b.h1.resize(size_t(n) * c.hidden_dim);
    if (c.mlp != MlpType::SiLU) b.h3.resize(b.h1.size());

    ForwardResult result;
    std::vector<float> probs;
    const std::vector<int>& rows = request.attention_rows;
    const size_t per_layer = size_t(c.n_heads) * rows.size() * size_t(n);
    result.row_attention.assign(per_layer * size_t(c.n_layers), 0.f);
    ref::embedding(w.embedding, request.tokens.data(), n, b.x.data());
    if (c.embedding_scale != 1.f) ref::affine(b.x.data(), int(nd), c.embedding_scale, nullptr, 1);
    if (request.stats.want) result.stats = empty_stats(c.n_layers, c.n_heads, n, request.stats.logit_histogram);
    AttentionStats* stats_ptr = request.stats.want ? &result.stats : nullptr;
    for (int l = 0; l < c.n_layers; ++l) {
        if (request.checkpoint) request.checkpoint(double(l) / c.n_layers);  // may throw: an out-of-date pass stops here
        const auto& lw = w.layers[size_t(l)];
        const PositionPlan& plan = plan_for_layer(request.plan, c, l);
        const bool probe = request.want_attention && request.probe.layer == l;
        if (probe) probs.assign(size_t(n) * n, 0.f);
        float* probs_ptr = probe ? probs.data() : nullptr;
        if (c.residual == Residual::PreNorm) {
            norm(c, lw[AttnNorm], lw[AttnNormBias], b.x.data(), n, b.xb.data());
            attention_block(c, lw, plan, b.xb.data(), n, b, b.tmp.data(), probs_ptr, request.probe.head, rows,
                            result.row_attention.data() + per_layer * size_t(l), request.stats, l, stats_ptr);
            residual_add(c, lw[PostAttnNorm], b.tmp.data(), n, b.x.data());
            norm(c, lw[FfnNorm], lw[FfnNormBias], b.x.data(), n, b.xb.data());
            mlp_block(c, lw, b.xb.data(), n, b.h1, b.h3, b.tmp.data());
            residual_add(c, lw[PostFfnNorm], b.tmp.data(), n, b.x.data());
        } else {  // PostFirstNorm
            norm(c, lw[AttnNorm], lw[AttnNormBias], b.x.data(), n, b.xb.data());
            attention_block(c, lw, plan, b.xb.data(), n, b, b.tmp.data(), probs_ptr, request.probe.head, rows,
                            result.row_attention.data() + per_layer * size_t(l), request.stats, l, stats_ptr);
            ref::add_inplace(b.xb.data(), b.tmp.data(), int(nd));  // a = x + Attn(x)
            norm(c, lw[FfnNorm], lw[FfnNormBias], b.xb.data(), n, b.x.data());
            mlp_block(c, lw, b.x.data(), n, b.h1, b.h3, b.tmp.data());
            ref::add_inplace(b.xb.data(), b.tmp.data(), int(nd));  // x = a + MLP(N2(a))
            b.x.swap(b.xb);
        }
        if (std::find(request.hidden_layers.begin(), request.hidden_layers.end(), l) != request.hidden_layers.end())
            request.hidden_sink(l, b.x.data());  // the residual stream after block l
        if (probe) {
            if (request.probe.grid > 0) {
                result.attention = ref::reduce_grid(probs, n, request.probe.grid);
                result.attention_rows = result.attention_cols = request.probe.grid;
            } else {
                result.attention = std::move(probs);
                result.attention_rows = result.attention_cols = n;
            }
        }
    }
    if (c.final_norm) {
        norm(c, w.output_norm, w.output_norm_bias, b.x.data(), n, b.xb.data());
        b.x.swap(b.xb);
    }

    classify(c, w.output, b.x, request, result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace xl
