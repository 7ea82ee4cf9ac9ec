// The KV-cache eviction simulation on Vulkan: the GPU twin of core/ref/kv_eviction.cpp (same
// semantics, see kv_eviction.hpp), on the weights and block recipes of VulkanForward.
// Each layer's cache lives on the device as the keys before rotation and the values, compact
// [entry][KV][hd]. Per chunk step, for every layer: the chunk's rows are projected (record_qkv)
// and appended to the cache (a copy); the host uploads the plan index of each query and key (the
// bookkeeping) and the plan's positions and query scales gathered at those indices; the cache and
// the chunk's queries are rotated at them (record_rope: both branches of two-branch methods, as
// the full pass); attention is the KEYSET variant of the scalar kernel over the cache + chunk
// (masks, far branch and ALiBi by plan index); the key mass H2O or SnapKV reads comes back as one
// float per key (attention_key_mass), never an n×n buffer. After the step's single submit the
// host applies the policy (eviction_keep, as the CPU reference) and compacts each cache with one
// copy of its kept runs, recorded ahead of the next step.
#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/error.hpp"
#include "core/forward/vulkan_forward_impl.hpp"
#include "core/ref/eviction_map.hpp"

namespace xl {
namespace {

gpu::Buffer sized(gpu::Context& ctx, int64_t bytes) { return gpu::Buffer(ctx, uint64_t(std::max<int64_t>(bytes, 4))); }

// positions[index[t]] for each t (the plan's arrays looked up at the bookkeeping's indices).
std::vector<float> gather(const std::vector<float>& positions, const std::vector<int>& index) {
    std::vector<float> out(index.size());
    for (size_t t = 0; t < index.size(); ++t) out[t] = positions[size_t(index[t])];
    return out;
}

std::string size_text(int64_t bytes) {  // KiB below one MiB (bindings shrunk by tests)
    if (bytes < (1 << 20)) return std::to_string((bytes + 512) >> 10) + " KiB";
    return std::to_string((bytes + (1 << 19)) >> 20) + " MiB";
}

}  // namespace

struct VulkanForward::Impl::Eviction final : EvictionEngine {
    Eviction(Impl& forward, VulkanForward& owner) : f(forward), pass(owner) {}

    EvictionResult run(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                       const EvictionRun& run, const std::function<void(int, int)>& progress) override;
    std::string device_name() const override { return f.ctx->device_name(); }
    EvictionResult full_context(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                                const EvictionRun& run, const std::function<void(int, int)>& progress) override;

    // One layer's cache: raw keys and values on the device, the step's indices and positions
    // (uploaded per layer: on host-mapped memory an upload is a copy at record time), and the
    // host's bookkeeping of the entries.
    struct LayerCache {
        gpu::Buffer k, v;                                  // [cap][KV][hd]
        gpu::Buffer key_index, key_pos, key_far_pos;       // [cap]
        gpu::Buffer query_index, query_pos, query_far_pos, query_scale;  // [chunk]
        std::vector<int> orig;                             // original token index of each entry
        std::vector<double> accumulated;                   // h2o: attention received so far
    };
    void check_fits(int N, int chunk, int cap, bool probe) const;
    void allocate(int N, int chunk, int cap, bool probe);
    void upload_step(LayerCache& lc, const PositionPlan& plan, const std::vector<int>& qi, const std::vector<int>& ki);
    void compact(LayerCache& lc, const std::vector<int>& keep, int kvw);

    Impl& f;
    VulkanForward& pass;                                   // the whole-sequence pass of full_context
    std::vector<LayerCache> caches;
    gpu::Buffer k_near, k_far, scratch_k, scratch_v;      // rotated keys and the compaction target, [cap][KV][hd]
    gpu::Buffer mass;                                      // [L][cap] key mass of the step
    gpu::Buffer targets, nll, rows, probe;                 // tokens [N], nll [N], 0..chunk−1, [H][chunk][cap]
};

// The run against the device, before anything is allocated: the chunk is one pass of the
// forward's own buffers (VulkanForward::max_tokens); every buffer here is bound whole (storage,
// and texel views of keys and values), so none may exceed the largest binding (lavapipe's 128 MiB;
// XL_TEST_STORAGE_RANGE_KB shrinks it, as for the pass's MLP chunks); the footprint must fit the
// memory left beside the weights and the chunk's activations.
void VulkanForward::Impl::Eviction::check_fits(int N, int chunk, int cap, bool with_probe) const {
    const ModelConfig& c = f.model.config;
    const std::string& device = f.ctx->device_name();
    const int64_t kv_bytes = int64_t(cap) * c.n_kv_heads * c.head_dim * 4;
    const int64_t per_layer = 2 * kv_bytes + 3 * int64_t(cap) * 4 + 4 * int64_t(chunk) * 4;
    const int64_t probe_bytes = with_probe ? int64_t(c.n_heads) * chunk * cap * 4 : 0;
    const int64_t mass_bytes = int64_t(c.n_layers) * cap * 4;
    const std::string cache = "a KV cache of " + std::to_string(cap - chunk) + " entries + a chunk of " +
                              std::to_string(chunk);
    if (chunk > f.max_tokens())
        throw Error(ErrorKind::OutOfMemory, device,
                    "a chunk of " + std::to_string(chunk) + " tokens is longer than one forward pass holds (" +
                        std::to_string(f.max_tokens()) + " tokens); lower the chunk");
    const int64_t range = f.storage_range();
    const int64_t texels = int64_t(f.ctx->properties().limits.maxTexelBufferElements) * 16;
    const struct {
        const char* what;
        int64_t bytes, limit;
    } bound[] = {{"one layer's keys (or values)", kv_bytes, std::min(range, texels)},
                 {"the probe layer's attention rows", probe_bytes, range},
                 {"the key mass of every layer", mass_bytes, range}};
    for (const auto& b : bound)
        if (b.bytes > b.limit)
            throw Error(ErrorKind::OutOfMemory, device,
                        cache + ": " + b.what + " take " + size_text(b.bytes) + ", beyond the largest buffer the device binds (" +
                            size_text(b.limit) + "); lower the budget or the chunk");
    const int64_t need = c.n_layers * per_layer + 4 * kv_bytes + mass_bytes + 2 * int64_t(N) * 4 + probe_bytes;
    const int64_t free = f.free_device_bytes(chunk);
    if (need > free)
        throw Error(ErrorKind::OutOfMemory, device,
                    cache + " in each of " + std::to_string(c.n_layers) + " layers needs about " + size_text(need) +
                        " and the device has " + size_text(std::max<int64_t>(free, 0)) +
                        " beside the weights; lower the budget or the chunk");
}

void VulkanForward::Impl::Eviction::allocate(int N, int chunk, int cap, bool with_probe) {
    const ModelConfig& c = f.model.config;
    const int64_t kv_bytes = int64_t(cap) * c.n_kv_heads * c.head_dim * 4;
    const int64_t probe_bytes = with_probe ? int64_t(c.n_heads) * chunk * cap * 4 : 0;
    gpu::Context& g = *f.ctx;
    // The previous run's buffers go before the new ones are allocated.
    caches.clear();
    for (gpu::Buffer* b : {&k_near, &k_far, &scratch_k, &scratch_v, &mass, &targets, &nll, &rows, &probe}) *b = gpu::Buffer();
    caches.resize(size_t(c.n_layers));
    for (LayerCache& lc : caches) {
        lc.k = sized(g, kv_bytes);
        lc.v = sized(g, kv_bytes);
        lc.key_index = sized(g, int64_t(cap) * 4);
        lc.key_pos = sized(g, int64_t(cap) * 4);
        lc.key_far_pos = sized(g, int64_t(cap) * 4);
        lc.query_index = sized(g, int64_t(chunk) * 4);
        lc.query_pos = sized(g, int64_t(chunk) * 4);
        lc.query_far_pos = sized(g, int64_t(chunk) * 4);
        lc.query_scale = sized(g, int64_t(chunk) * 4);
    }
    k_near = sized(g, kv_bytes);
    k_far = sized(g, kv_bytes);
    scratch_k = sized(g, kv_bytes);
    scratch_v = sized(g, kv_bytes);
    mass = sized(g, int64_t(c.n_layers) * cap * 4);
    targets = sized(g, int64_t(N) * 4);
    nll = sized(g, int64_t(N) * 4);
    rows = sized(g, int64_t(chunk) * 4);
    probe = sized(g, probe_bytes);
}

// The plan indices of the step's queries and keys and the plan's arrays at them.
void VulkanForward::Impl::Eviction::upload_step(LayerCache& lc, const PositionPlan& plan, const std::vector<int>& qi,
                                                const std::vector<int>& ki) {
    gpu::Recorder& rec = *f.rec;
    const auto put = [&](gpu::Buffer& b, const auto& v) { rec.upload(b, v.data(), v.size() * 4); };
    put(lc.query_index, std::vector<uint32_t>(qi.begin(), qi.end()));
    put(lc.key_index, std::vector<uint32_t>(ki.begin(), ki.end()));
    put(lc.query_scale, gather(plan.query_scale, qi));
    if (plan.inv_freq.empty()) return;
    put(lc.query_pos, gather(plan.near.q_pos, qi));
    put(lc.key_pos, gather(plan.near.k_pos, ki));
    if (!plan.far.enabled) return;
    put(lc.query_far_pos, gather(plan.far.pos.q_pos, qi));
    put(lc.key_far_pos, gather(plan.far.pos.k_pos, ki));
}

// The kept entries (ascending slots) moved to the front of the cache: one copy per buffer, a
// region per run of consecutive slots, into the scratch buffers, which then take the cache's place.
void VulkanForward::Impl::Eviction::compact(LayerCache& lc, const std::vector<int>& keep, int kvw) {
    const size_t row = size_t(kvw) * 4;
    std::vector<gpu::Recorder::CopyRegion> regions;
    for (size_t a = 0; a < keep.size();) {
        size_t b = a + 1;
        while (b < keep.size() && keep[b] == keep[b - 1] + 1) ++b;
        regions.push_back({size_t(keep[a]) * row, a * row, (b - a) * row});
        a = b;
    }
    f.rec->copy(lc.k, scratch_k, regions);
    f.rec->copy(lc.v, scratch_v, regions);
    lc.k.swap(scratch_k);
    lc.v.swap(scratch_v);
}

EvictionResult VulkanForward::Impl::Eviction::run(const std::vector<int>& tokens,
                                                  const std::function<PositionPlan(int)>& plan_for,
                                                  const EvictionRun& r, const std::function<void(int, int)>& progress) {
    const auto start = std::chrono::steady_clock::now();
    const ModelConfig& c = f.model.config;
    const int N = int(tokens.size());
    check_eviction_run(c, tokens, r);
    const PositionPlan whole = eviction_plan(c, N, r, plan_for);
    const int H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim, D = c.dim, kvw = KV * hd;
    const int chunk = std::min(r.chunk, N), cap = std::min(r.policy.budget, N) + chunk;
    const bool wants_acc = r.policy.policy == EvictionPolicy::H2O, wants_votes = r.policy.policy == EvictionPolicy::SnapKV;
    const bool wants_mass = wants_acc || wants_votes;
    gpu::Recorder& rec = *f.rec;
    const gpu::DiscardOnThrow discard(rec);
    check_fits(N, chunk, cap, r.probe_layer >= 0);
    f.ensure_capacity(chunk);
    allocate(N, chunk, cap, r.probe_layer >= 0);
    GpuOps ops(*f.ctx, rec);

    // Once per run: targets, row ids, and the plan constants of each layer kind.
    rec.upload(targets, tokens.data(), size_t(N) * 4);
    std::vector<uint32_t> ids(static_cast<size_t>(chunk));
    for (int t = 0; t < chunk; ++t) ids[size_t(t)] = uint32_t(t);
    rec.upload(rows, ids.data(), ids.size() * 4);
    const size_t kinds = whole.per_kind.empty() ? 1 : whole.per_kind.size();
    if (kinds != f.act.plans.size() && !whole.per_kind.empty())
        throw Error(ErrorKind::BadArgument, whole.method,
                    "the plan holds " + std::to_string(kinds) + " layer kinds, the model " + std::to_string(f.act.plans.size()));
    for (size_t k = 0; k < kinds; ++k) {
        const PositionPlan& p = whole.per_kind.empty() ? whole : whole.per_kind[k];
        GpuPlanBuffers& pb = f.act.plans[k];
        if (!p.alibi_slopes.empty()) rec.upload(pb.slopes, p.alibi_slopes.data(), size_t(H) * 4);
        if (p.inv_freq.empty()) continue;
        rec.upload(pb.inv_freq, p.inv_freq.data(), size_t(p.rope_dim / 2) * 4);
        if (!p.xpos.zeta.empty()) {
            const std::vector<float> l = xpos_log2_zeta(p);
            rec.upload(pb.xpos_log2_zeta, l.data(), size_t(p.rope_dim / 2) * 4);
        }
    }

    EvictionResult result;
    EvictionProbe probe_record(r, N, H);
    std::vector<std::vector<float>> step_mass(size_t(c.n_layers));
    std::vector<float> probe_probs;
    const int steps = (N + chunk - 1) / chunk;
    for (int step = 0; step < steps; ++step) {
        const int s = step * chunk, n = std::min(chunk, N - s);
        rec.upload(f.act.tokens, tokens.data() + s, size_t(n) * 4);
        ops.embedding(f.embedding, f.act.tokens, f.act.x, n);
        if (c.embedding_scale != 1.f) ops.affine(f.act.x, n * D, c.embedding_scale, nullptr, 1);
        std::vector<std::vector<int>> orig_all(size_t(c.n_layers));
        for (int l = 0; l < c.n_layers; ++l) {
            const GpuLayer& g = f.layers[size_t(l)];
            const PositionPlan& plan = plan_for_layer(whole, c, l);
            const GpuPlanBuffers& pb = f.act.plans[whole.per_kind.empty() ? 0 : size_t(g.kind)];
            LayerCache& lc = caches[size_t(l)];
            const int m = int(lc.orig.size()), total = m + n;
            std::vector<int>& orig = orig_all[size_t(l)];
            orig = lc.orig;
            for (int t = 0; t < n; ++t) orig.push_back(s + t);
            std::vector<int> qi, ki;
            eviction_indices(r.positions, s, n, orig, qi, ki);
            upload_step(lc, plan, qi, ki);

            // The block: as VulkanForward::run, with attention over the cache + chunk.
            gpu::Buffer& in = f.act.xb;
            gpu::Buffer& out = c.residual == Residual::PreNorm ? f.act.x : f.act.xb;
            f.record_norm(ops, g.attn_norm, g.attn_norm_bias, f.act.x, f.act.xb, n);
            f.record_qkv(ops, g, in, n);
            const size_t row = size_t(kvw) * 4;
            rec.copy(f.act.k, lc.k, {{0, size_t(m) * row, size_t(n) * row}});
            rec.copy(f.act.v, lc.v, {{0, size_t(m) * row, size_t(n) * row}});
            const bool rope = !plan.inv_freq.empty(), far = rope && plan.far.enabled;
            f.record_rope(ops, plan, pb, {lc.query_pos, lc.query_far_pos, n},
                          {lc.k, k_near, k_far, lc.key_pos, lc.key_far_pos, total});
            AttentionInputs ai{&f.act.q, rope ? &k_near : &lc.k, far ? &f.act.qf : nullptr, far ? &k_far : nullptr,
                               &lc.v, &lc.query_scale, plan.alibi_slopes.empty() ? nullptr : &pb.slopes,
                               &lc.query_index, &lc.key_index};
            AttentionShape shape{n, H, KV, hd, plan.window, plan.sinks, plan.far.neighbour_window};
            shape.keys = total;
            ops.attention(ai, shape, f.act.att, f.act.lse);
            if (wants_mass) {  // h2o: every query; snapkv: the observation window (the chunk's last queries)
                const int first = wants_acc ? 0 : n - std::min(r.policy.observe, n);
                ops.attention_key_mass(ai, shape, f.act.lse, first, mass, uint32_t(l) * uint32_t(cap));
                step_mass[size_t(l)].resize(size_t(total));
                rec.download(mass, step_mass[size_t(l)].data(), size_t(total) * 4, size_t(l) * size_t(cap) * 4);
            }
            if (l == r.probe_layer) {
                ops.attention_rows(ai, shape, f.act.lse, rows, n, probe, 0);
                probe_probs.resize(size_t(H) * n * total);
                rec.download(probe, probe_probs.data(), probe_probs.size() * 4);
            }
            f.record_attention_output(ops, g, in, out, n);
            if (c.residual == Residual::PreNorm) {  // x += Attn(N1(x)); x += MLP(N2(x))
                f.record_norm(ops, g.ffn_norm, g.ffn_norm_bias, f.act.x, f.act.xb, n);
                f.record_mlp(ops, l, f.act.xb, f.act.x, n);
            } else {  // PostFirstNorm: a = N1(x) + Attn(N1(x)); x = a + MLP(N2(a))
                f.record_norm(ops, g.ffn_norm, g.ffn_norm_bias, f.act.xb, f.act.x, n);
                f.record_mlp(ops, l, f.act.x, f.act.xb, n);
                f.act.x.swap(f.act.xb);
            }
        }
        // Classifier of the chunk's rows: NLL of each next token.
        const gpu::Buffer* final_x = &f.act.x;
        if (c.final_norm) {
            f.record_norm(ops, f.output_norm, f.output_norm_bias, f.act.x, f.act.xb, n);
            final_x = &f.act.xb;
        }
        const int scored = std::min(n, N - 1 - s);
        for (int t0 = 0; t0 < scored; t0 += f.act.chunk) {
            const int rows_now = std::min(f.act.chunk, scored - t0);
            ops.matmul(f.classifier(), *final_x, f.act.logits, rows_now, false, uint32_t(t0) * uint32_t(D), 0);
            ops.nll(f.act.logits, targets, nll, rows_now, c.vocab_size, uint32_t(s + t0 + 1), uint32_t(s + t0));
        }
        rec.submit();

        // The chunk joins the cache; the policy cuts it back to the budget (host, as the reference).
        for (int l = 0; l < c.n_layers; ++l) {
            LayerCache& lc = caches[size_t(l)];
            const std::vector<int>& orig = orig_all[size_t(l)];
            const int total = int(orig.size());
            if (l == r.probe_layer) probe_record.add_chunk(s, n, lc.orig, orig, probe_probs.data());
            std::vector<double> acc, votes;
            if (wants_acc) {
                acc = lc.accumulated;
                acc.resize(size_t(total), 0.0);
                for (int j = 0; j < total; ++j) acc[size_t(j)] += step_mass[size_t(l)][size_t(j)];
            }
            if (wants_votes) votes.assign(step_mass[size_t(l)].begin(), step_mass[size_t(l)].end());
            const std::vector<int> keep = eviction_keep(r.policy, total, acc, votes, &result.min_margin);
            if (int(keep.size()) < total && l == std::max(r.probe_layer, 0)) ++result.evictions;
            if (int(keep.size()) < total && step + 1 < steps) compact(lc, keep, kvw);
            lc.orig.clear();
            lc.accumulated.clear();
            for (int j : keep) {
                lc.orig.push_back(orig[size_t(j)]);
                if (wants_acc) lc.accumulated.push_back(acc[size_t(j)]);
            }
        }
        if (progress) progress(step + 1, steps);
    }
    result.nll.resize(size_t(N - 1));
    rec.download(nll, result.nll.data(), result.nll.size() * 4);
    rec.submit();
    probe_record.finish(result);
    double sum = 0;
    for (float v : result.nll) sum += v;
    result.mean_nll = sum / double(result.nll.size());
    result.perplexity = std::exp(result.mean_nll);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

// Nothing evicted: the whole-sequence pass (its cooperative-matrix attention where the device has
// it; the simulation's KEYSET kernel is scalar), equal to run() at budget N within 1e-4 per token
// (tests/test_gpu_eviction.cpp); the simulation when the pass does not fit the device.
EvictionResult VulkanForward::Impl::Eviction::full_context(const std::vector<int>& tokens,
                                                           const std::function<PositionPlan(int)>& plan_for,
                                                           const EvictionRun& run,
                                                           const std::function<void(int, int)>& progress) {
    const int N = int(tokens.size());
    if (N > f.max_tokens() || f.free_device_bytes(N) < 0) return EvictionEngine::full_context(tokens, plan_for, run, progress);
    check_eviction_run(f.model.config, tokens, nothing_evicted(run, N));
    const int steps = (N + std::max(run.chunk, 1) - 1) / std::max(run.chunk, 1);
    ForwardRequest req;
    req.tokens = tokens;
    req.plan = plan_for(N);
    // Progress in the sweep's chunk steps as the layers go (and cancellation).
    if (progress) req.checkpoint = [&](double done) { progress(int(double(steps) * std::min(done, 1.0)), steps); };
    const ForwardResult out = pass.run(req);
    EvictionResult result;
    result.nll = out.nll;
    double sum = 0;
    for (float v : result.nll) sum += v;
    result.mean_nll = sum / double(std::max<size_t>(result.nll.size(), 1));
    result.perplexity = std::exp(result.mean_nll);
    result.seconds = out.seconds;
    if (progress) progress(steps, steps);
    return result;
}

EvictionEngine& VulkanForward::Impl::eviction_engine(VulkanForward& owner) {
    if (!eviction) eviction = std::make_unique<Eviction>(*this, owner);
    return *eviction;
}

EvictionEngine* VulkanForward::eviction() { return &impl_->eviction_engine(*this); }

}  // namespace xl
