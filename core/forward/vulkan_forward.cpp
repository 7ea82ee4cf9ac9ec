// VulkanForward: recording of the whole pass into one submit (see vulkan_forward.hpp).
// Block recipes mirror core/ref/cpu_forward.cpp; residual adds are fused into the output
// projections (matmul with accumulate), so x += Wo·att and x += W2·h are single dispatches.
#include "core/forward/vulkan_forward.hpp"

#include <algorithm>
#include <chrono>

#include "core/error.hpp"
#include "core/forward/vulkan_forward_impl.hpp"

namespace xl {

VulkanForward::VulkanForward(const Model& model, int device_index)
    : VulkanForward(model, gpu::Context::create(device_index)) {}

VulkanForward::VulkanForward(const Model& model, std::shared_ptr<gpu::Context> context)
    : impl_(std::make_unique<Impl>(model, std::move(context))) {}

VulkanForward::~VulkanForward() = default;

std::string VulkanForward::device_name() const { return impl_->ctx->device_name(); }
int64_t VulkanForward::max_tokens() const { return impl_->max_tokens(); }
gpu::Context& VulkanForward::context() { return *impl_->ctx; }
void VulkanForward::set_profiling(bool on) { impl_->profiling = on; }
const std::vector<std::pair<std::string, double>>& VulkanForward::last_timings() const { return impl_->timings; }

void VulkanForward::Impl::mark(const std::string& label) {
    if (profiling) rec->timestamp(label);
}

void VulkanForward::Impl::upload_plan(const ForwardRequest& r) {
    rec->upload(act.tokens, r.tokens.data(), r.tokens.size() * 4);
    if (r.plan.per_kind.empty()) {
        upload_kind_plan(r.plan, r.tokens.size(), act.plans[0]);
        return;
    }
    if (r.plan.per_kind.size() != act.plans.size())
        throw Error(ErrorKind::BadArgument, r.plan.method,
                    "the plan holds " + std::to_string(r.plan.per_kind.size()) + " layer kinds, the model " +
                        std::to_string(act.plans.size()));
    for (size_t k = 0; k < act.plans.size(); ++k) upload_kind_plan(r.plan.per_kind[k], r.tokens.size(), act.plans[k]);
}

void VulkanForward::Impl::upload_kind_plan(const PositionPlan& p, size_t n, GpuPlanBuffers& b) {
    rec->upload(b.query_scale, p.query_scale.data(), n * 4);
    if (!p.alibi_slopes.empty()) rec->upload(b.slopes, p.alibi_slopes.data(), size_t(model.config.n_heads) * 4);
    if (p.inv_freq.empty()) return;
    rec->upload(b.inv_freq, p.inv_freq.data(), size_t(p.rope_dim / 2) * 4);
    if (!p.xpos.zeta.empty()) {
        const std::vector<float> l = xpos_log2_zeta(p);
        rec->upload(b.xpos_log2_zeta, l.data(), size_t(p.rope_dim / 2) * 4);
    }
    rec->upload(b.q_pos, p.near.q_pos.data(), n * 4);
    rec->upload(b.k_pos, p.near.k_pos.data(), n * 4);
    if (p.far.enabled) {
        rec->upload(b.qf_pos, p.far.pos.q_pos.data(), n * 4);
        rec->upload(b.kf_pos, p.far.pos.k_pos.data(), n * 4);
    }
}

void VulkanForward::Impl::record_norm(GpuOps& ops, const gpu::Buffer& w, const gpu::Buffer& b, const gpu::Buffer& x,
                                      gpu::Buffer& y, int n) {
    const ModelConfig& c = model.config;
    if (c.norm == NormType::RMSNorm)
        ops.rmsnorm(x, w, y, n, c.dim, c.norm_eps);
    else
        ops.layernorm(x, w, b.valid() ? &b : nullptr, y, n, c.dim, c.norm_eps);
}

// q, k, v = Wq·in (+ bq), Wk·in (+ bk), Wv·in (+ bv); q and k through their per-head RMSNorm
// when the layer has one (projected into att / kf first, which are free until attention).
void VulkanForward::Impl::record_qkv(GpuOps& ops, const GpuLayer& g, const gpu::Buffer& in, int n) {
    const ModelConfig& c = model.config;
    const int qd = c.n_heads * c.head_dim, kvd = c.n_kv_heads * c.head_dim;
    gpu::Buffer& q_raw = g.q_norm.valid() ? act.att : act.q;
    gpu::Buffer& k_raw = g.k_norm.valid() ? act.kf : act.k;
    ops.matmul(g.wq, in, q_raw, n);
    ops.matmul(g.wk, in, k_raw, n);
    ops.matmul(g.wv, in, act.v, n);
    if (g.bq.valid()) ops.affine(q_raw, n * qd, 1.f, &g.bq, qd);
    if (g.bk.valid()) ops.affine(k_raw, n * kvd, 1.f, &g.bk, kvd);
    if (g.bv.valid()) ops.affine(act.v, n * kvd, 1.f, &g.bv, kvd);
    if (g.q_norm.valid()) ops.rmsnorm(q_raw, g.q_norm, act.q, n * c.n_heads, c.head_dim, c.norm_eps);
    if (g.k_norm.valid()) ops.rmsnorm(k_raw, g.k_norm, act.k, n * c.n_kv_heads, c.head_dim, c.norm_eps);
}

// out += Wo · Attention(RoPE(q), RoPE(k), v) with the plan of the layer's kind; with a
// post-attention norm: out += Norm(Wo · ...), through `in` (free once q/k/v are projected).
void VulkanForward::Impl::record_attention(GpuOps& ops, int l, const ForwardRequest& r, gpu::Buffer& in,
                                           gpu::Buffer& out, ForwardResult& result) {
    const ModelConfig& c = model.config;
    const PositionPlan& p = plan_for_layer(r.plan, c, l);
    const GpuLayer& g = layers[size_t(l)];
    const GpuPlanBuffers& pb = act.plans[r.plan.per_kind.empty() ? 0 : size_t(g.kind)];
    const int n = int(r.tokens.size());
    record_qkv(ops, g, in, n);
    const bool rope = !p.inv_freq.empty();
    const bool far = rope && p.far.enabled;  // without rotation both branches are identical
    record_rope(ops, p, pb, {pb.q_pos, pb.qf_pos, n}, {act.k, act.k, act.kf, pb.k_pos, pb.kf_pos, n});
    stop_point(l, 0.2);
    AttentionInputs ai{&act.q, &act.k, far ? &act.qf : nullptr, far ? &act.kf : nullptr, &act.v, &pb.query_scale,
                       p.alibi_slopes.empty() ? nullptr : &pb.slopes};
    AttentionShape shape{n, c.n_heads, c.n_kv_heads, c.head_dim, p.window, p.sinks, p.far.neighbour_window};
    shape.fp32_operands = rope && xpos_max_log2_magnitude(p, n) > kFp16SafeLog2;
    // The attention in segments when the pass may stop inside it (the longest dispatch of a layer).
    const auto between = [&](double done) { stop_point(l, 0.2 + 0.2 * done); };
    ops.attention(ai, shape, act.att, act.lse, checkpoint && *checkpoint ? std::function<void(double)>(between) : nullptr);
    stop_point(l, 0.4);
    if (r.want_attention && r.probe.layer == l) {
        const int grid = r.probe.grid > 0 ? r.probe.grid : n;
        const uint64_t bytes = uint64_t(grid) * grid * 4;
        if (!act.probs.valid() || act.probs.size() < bytes) act.probs = gpu::Buffer(*ctx, bytes);
        ops.attention_probs(ai, shape, act.lse, r.probe.head, r.probe.grid, act.probs);
        result.attention.resize(size_t(grid) * grid);
        result.attention_rows = result.attention_cols = grid;
        rec->download(act.probs, result.attention.data(), bytes);
    }
    if (!r.attention_rows.empty()) {  // this layer's block of [L][H][R][n], read back after the pass
        const uint32_t per_layer = uint32_t(c.n_heads) * uint32_t(r.attention_rows.size()) * uint32_t(n);
        ops.attention_rows(ai, shape, act.lse, act.rows, int(r.attention_rows.size()), act.row_probs,
                           per_layer * uint32_t(l));
    }
    if (r.stats.want) record_stats(ops, l, ai, shape, r.stats, result.stats);
    record_attention_output(ops, g, in, out, n);
}

// Rotation by the plan p (ref §1; xPos §14: queries times ζ^((pos−c)/γ), keys times ζ^(−(pos−c)/γ))
// of act.q in place (far branch into act.qf) and of k.src into k.near (far branch into k.far);
// the far branch first, as it reads q and k.src before the near rotation may overwrite them.
// No-op without rotation.
void VulkanForward::Impl::record_rope(GpuOps& ops, const PositionPlan& p, const GpuPlanBuffers& pb,
                                      const RopeQueries& q, const RopeKeys& k) {
    if (p.inv_freq.empty()) return;
    const ModelConfig& c = model.config;
    const bool neox = p.layout == RopeLayout::NeoX;
    const int pairs = p.rope_dim / 2;
    RopeXpos xq, xk;
    if (!p.xpos.zeta.empty()) {
        xq = {&pb.xpos_log2_zeta, 1.f / p.xpos.scale_base, p.xpos.centre};
        xk = {&pb.xpos_log2_zeta, -1.f / p.xpos.scale_base, p.xpos.centre};
    }
    if (p.far.enabled) {
        ops.rope_apply(act.q, q.far_pos, pb.inv_freq, act.qf, q.n, c.n_heads, c.head_dim, pairs, neox, p.mscale, xq);
        ops.rope_apply(k.src, k.far_pos, pb.inv_freq, k.far, k.n, c.n_kv_heads, c.head_dim, pairs, neox, p.mscale, xk);
    }
    ops.rope_apply(act.q, q.pos, pb.inv_freq, act.q, q.n, c.n_heads, c.head_dim, pairs, neox, p.mscale, xq);
    ops.rope_apply(k.src, k.pos, pb.inv_freq, k.near, k.n, c.n_kv_heads, c.head_dim, pairs, neox, p.mscale, xk);
}

// out += Wo·att; with a post-attention norm out += Norm(Wo·att), through `in` (the normed input,
// no longer read once q/k/v are projected).
void VulkanForward::Impl::record_attention_output(GpuOps& ops, const GpuLayer& g, gpu::Buffer& in, gpu::Buffer& out,
                                                  int n) {
    if (g.post_attn_norm.valid()) {
        ops.matmul(g.wo, act.att, in, n);
        record_residual(ops, g.post_attn_norm, in, out, n);
    } else {
        ops.matmul(g.wo, act.att, out, n, /*accumulate*/ true);
    }
}

// Statistics of every head of layer l, from the row log-sum-exp just written, into device buffers
// that hold every layer (host-visible buffers are read when the pass is submitted, so one per layer
// would leave only the last); read back into `out` (sized by run()) after the last layer.
void VulkanForward::Impl::record_stats(GpuOps& ops, int l, const AttentionInputs& ai, const AttentionShape& shape,
                                       const AttentionStatsRequest& want, AttentionStats& out) {
    const uint64_t mass_bytes = uint64_t(out.layers) * uint64_t(shape.n_heads) * uint64_t(shape.n) * 4;
    const uint64_t counts_bytes = uint64_t(out.layers) * AttentionStats::kBuckets * AttentionStats::kBins * 4;
    auto ensure = [&](gpu::Buffer& b, uint64_t bytes) {
        if (!b.valid() || b.size() < bytes) b = gpu::Buffer(*ctx, bytes);
    };
    if (l == 0) {
        ensure(act.stat_rows, 2 * mass_bytes);
        ensure(act.stat_mass, mass_bytes);
        if (want.logit_histogram) {
            ensure(act.stat_counts, counts_bytes);
            rec->fill(act.stat_counts, 0u);
        }
    }
    ops.attention_stats(ai, shape, act.lse, want.sink_tokens, l, act.stat_rows, act.stat_mass,
                        want.logit_histogram ? &act.stat_counts : nullptr);
    if (l + 1 < out.layers) return;
    const uint64_t head_block = uint64_t(shape.n_heads) * uint64_t(shape.n) * 4;  // [H][n] of one layer
    for (int k = 0; k < out.layers; ++k) {
        const size_t at = out.index(k, 0, 0);
        rec->download(act.stat_rows, out.entropy.data() + at, head_block, 2 * uint64_t(k) * head_block);
        rec->download(act.stat_rows, out.sink_mass.data() + at, head_block, (2 * uint64_t(k) + 1) * head_block);
    }
    rec->download(act.stat_mass, out.distance_mass.data(), mass_bytes);
    if (want.logit_histogram) rec->download(act.stat_counts, out.logit_counts.data(), counts_bytes);
}

// x += Norm(y) (post-norm; y is the sub-block's output).
void VulkanForward::Impl::record_residual(GpuOps& ops, const gpu::Buffer& post_norm, const gpu::Buffer& y,
                                          gpu::Buffer& x, int n) {
    ops.rmsnorm_add(y, post_norm, x, n, model.config.dim, model.config.norm_eps);
}

// out += W2 · (act(W1·in) ⊙ W3·in), act = SiLU (SwiGLU) or GELU-tanh (GeGLU); SiLU MLP:
// out += W2 · silu(W1·in). With a post-FFN norm: out += Norm(W2 · ...), through `in` (a chunk's
// rows of `in` are overwritten only after they were read). Tokens go in chunks of act.mlp_chunk
// (one storage binding holds a chunk's hidden activations); every token's row is computed the
// same way whatever the chunk.
void VulkanForward::Impl::record_mlp(GpuOps& ops, int l, gpu::Buffer& in, gpu::Buffer& out, int n) {
    const ModelConfig& c = model.config;
    const GpuLayer& g = layers[size_t(l)];
    const uint32_t dim = uint32_t(c.dim);
    for (int t0 = 0; t0 < n; t0 += act.mlp_chunk) {
        const int m = std::min(act.mlp_chunk, n - t0);
        const uint32_t rows_at = uint32_t(t0) * dim;  // floats before this chunk's rows of in / out
        const int count = m * c.hidden_dim;
        ops.matmul(g.w1, in, act.h1, m, false, rows_at, 0);
        if (c.mlp == MlpType::SiLU) {
            ops.silu(act.h1, act.h1, count);
        } else {
            ops.matmul(g.w3, in, act.h3, m, false, rows_at, 0);
            if (c.mlp == MlpType::SwiGLU) ops.swiglu(act.h1, act.h3, act.h1, count);
            else ops.geglu(act.h1, act.h3, act.h1, count);
        }
        stop_point(l, 0.5 + 0.5 * (t0 + 0.7 * m) / n);  // the gate and up products: about 2/3 of the MLP
        if (g.post_ffn_norm.valid()) ops.matmul(g.w2, act.h1, in, m, false, 0, rows_at);
        else ops.matmul(g.w2, act.h1, out, m, /*accumulate*/ true, 0, rows_at);
    }
    if (g.post_ffn_norm.valid()) record_residual(ops, g.post_ffn_norm, in, out, n);
}

// Classifier in chunks of act.chunk rows, each followed by its NLL: logits never exceed one chunk.
void VulkanForward::Impl::record_head(GpuOps& ops, const ForwardRequest& r, const gpu::Buffer& x, ForwardResult& result) {
    const ModelConfig& c = model.config;
    const GpuTensor& w = tied ? embedding : output;
    const int n = int(r.tokens.size()), V = c.vocab_size;
    if (r.want_nll && n > 1) {
        for (int t0 = 0; t0 < n - 1; t0 += act.chunk) {
            const int rows = std::min(act.chunk, n - 1 - t0);
            ops.matmul(w, x, act.logits, rows, false, uint32_t(t0) * uint32_t(c.dim), 0);
            ops.nll(act.logits, act.tokens, act.nll, rows, V, uint32_t(t0 + 1), uint32_t(t0));
        }
        result.nll.resize(size_t(n) - 1);
        rec->download(act.nll, result.nll.data(), result.nll.size() * 4);
    }
    if (r.want_final_hidden) {
        result.final_hidden.resize(size_t(n) * size_t(c.dim));
        rec->download(x, result.final_hidden.data(), result.final_hidden.size() * 4);
    }
    if ((r.want_all_logits || r.logits_sink) && r.all_logits_from < n) record_all_logits(ops, r, x, result);
    if (r.want_last_logits) {
        ops.matmul(w, x, act.logits, 1, false, uint32_t(n - 1) * uint32_t(c.dim), 0);
        result.last_logits.resize(size_t(V));
        rec->download(act.logits, result.last_logits.data(), size_t(V) * 4);
    }
}

void VulkanForward::Impl::stop_point(int l, double f) {
    if (!checkpoint || !*checkpoint) return;
    rec->submit();
    (*checkpoint)((l + f) / model.config.n_layers);
}

ForwardResult VulkanForward::run(const ForwardRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    Impl& s = *impl_;
    const ModelConfig& c = s.model.config;
    s.check_request(request);
    struct StopPoints {  // the request's checkpoint, for the in-layer stop points of this run only
        Impl& s;
        StopPoints(Impl& impl, const ForwardRequest& r) : s(impl) { s.checkpoint = &r.checkpoint; }
        ~StopPoints() { s.checkpoint = nullptr; }
    } stop_points(s, request);
    const gpu::DiscardOnThrow discard(*s.rec);  // a failed pass (lost device, no memory) leaves nothing behind
    const int n = int(request.tokens.size());
    s.ensure_capacity(n);
    ForwardResult result;
    GpuOps ops(*s.ctx, *s.rec);
    s.mark("start");
    s.upload_plan(request);
    if (!request.attention_rows.empty()) {  // row indices and the [L][H][R][n] output, grown on demand
        const std::vector<uint32_t> rows(request.attention_rows.begin(), request.attention_rows.end());
        const uint64_t out_bytes = uint64_t(c.n_layers) * c.n_heads * rows.size() * uint64_t(n) * 4;
        if (!s.act.rows.valid() || s.act.rows.size() < rows.size() * 4) s.act.rows = gpu::Buffer(*s.ctx, rows.size() * 4);
        if (!s.act.row_probs.valid() || s.act.row_probs.size() < out_bytes) s.act.row_probs = gpu::Buffer(*s.ctx, out_bytes);
        s.rec->upload(s.act.rows, rows.data(), rows.size() * 4);
    }
    ops.embedding(s.embedding, s.act.tokens, s.act.x, n);
    if (c.embedding_scale != 1.f) ops.affine(s.act.x, n * c.dim, c.embedding_scale, nullptr, 1);
    s.mark("embedding");
    if (request.stats.want) result.stats = empty_stats(c.n_layers, c.n_heads, n, request.stats.logit_histogram);
    std::vector<float> hidden;  // hidden_layers read-back
    for (int l = 0; l < c.n_layers; ++l) {
        s.stop_point(l, 0.0);  // between layers (and inside them: record_attention, record_mlp)
        const GpuLayer& g = s.layers[size_t(l)];
        if (c.residual == Residual::PreNorm) {  // x += Attn(N1(x)); x += MLP(N2(x))
            s.record_norm(ops, g.attn_norm, g.attn_norm_bias, s.act.x, s.act.xb, n);
            s.record_attention(ops, l, request, s.act.xb, s.act.x, result);
            s.mark("layer " + std::to_string(l) + " attention");
            s.record_norm(ops, g.ffn_norm, g.ffn_norm_bias, s.act.x, s.act.xb, n);
            s.record_mlp(ops, l, s.act.xb, s.act.x, n);
        } else {  // PostFirstNorm: x = N1(x); a = x + Attn(x); x = a + MLP(N2(a))
            s.record_norm(ops, g.attn_norm, g.attn_norm_bias, s.act.x, s.act.xb, n);
            s.record_attention(ops, l, request, s.act.xb, s.act.xb, result);
            s.mark("layer " + std::to_string(l) + " attention");
            s.record_norm(ops, g.ffn_norm, g.ffn_norm_bias, s.act.xb, s.act.x, n);
            s.record_mlp(ops, l, s.act.x, s.act.xb, n);
            s.act.x.swap(s.act.xb);
        }
        s.mark("layer " + std::to_string(l) + " mlp");
        if (std::find(request.hidden_layers.begin(), request.hidden_layers.end(), l) != request.hidden_layers.end()) {
            // one layer's residual read back at a time: host memory holds n × dim, never L × n × dim
            hidden.resize(size_t(n) * size_t(c.dim));
            s.rec->download(s.act.x, hidden.data(), hidden.size() * 4);
            s.rec->submit();
            request.hidden_sink(l, hidden.data());
        }
    }
    const gpu::Buffer* final_x = &s.act.x;
    if (c.final_norm) {
        s.record_norm(ops, s.output_norm, s.output_norm_bias, s.act.x, s.act.xb, n);
        final_x = &s.act.xb;
    }
    if (!request.attention_rows.empty()) {
        result.row_attention.resize(size_t(c.n_layers) * c.n_heads * request.attention_rows.size() * size_t(n));
        s.rec->download(s.act.row_probs, result.row_attention.data(), result.row_attention.size() * 4);
    }
    s.record_head(ops, request, *final_x, result);
    s.mark("head");
    s.rec->submit();
    s.timings = s.rec->timings();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace xl
