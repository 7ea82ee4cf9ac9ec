// The chunked KV-cache simulation (see kv_eviction.hpp). Each step follows cpu_forward.cpp's
// block recipe on the chunk's rows; only attention differs: over the layer's cache + the chunk.
#include "core/ref/kv_eviction.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "core/error.hpp"
#include "core/ref/cpu_blocks.hpp"
#include "core/ref/eviction_map.hpp"
#include "core/ref/ops.hpp"

namespace xl {
namespace {

using Slots = std::array<Tensor, ref::kLayerSlots>;

[[noreturn]] void bad(const std::string& what) { throw Error(ErrorKind::BadArgument, "eviction", what); }

// One layer's cache: entry j holds the original token index, the key before rotation and the value.
struct LayerCache {
    std::vector<int> orig;
    std::vector<float> k, v;           // [entry][KV][hd]
    std::vector<double> accumulated;   // attention received from all queries so far (H2O)
};

// fn(t0, t1) over [0, n) split into `threads` contiguous row ranges. The ops are row-wise, so
// the result does not depend on the split.
template <class Fn>
void parallel_rows(int n, int threads, Fn fn) {
    const int parts = std::clamp(threads, 1, std::max(1, n));
    if (parts == 1) return fn(0, n);
    std::vector<std::thread> pool;
    for (int p = 0; p < parts; ++p) {
        const int t0 = int(int64_t(n) * p / parts), t1 = int(int64_t(n) * (p + 1) / parts);
        pool.emplace_back([=] { fn(t0, t1); });
    }
    for (auto& t : pool) t.join();
}

// positions[index[t]] for t < count (the plan's positions looked up at each row's plan index).
std::vector<float> gather(const std::vector<float>& positions, const std::vector<int>& index) {
    std::vector<float> out(index.size());
    for (size_t t = 0; t < index.size(); ++t) out[t] = positions[size_t(index[t])];
    return out;
}

// Rotated copy of x [rows][heads][hd] at plan positions `pos[index]` (no-op copy without RoPE).
std::vector<float> rotated(const std::vector<float>& x, int heads, int hd, const PositionPlan& plan,
                           const std::vector<float>& pos, const std::vector<int>& index, ref::RopeOperand op) {
    std::vector<float> out = x;
    if (!plan.inv_freq.empty()) ref::rope_apply(out.data(), int(index.size()), heads, hd, plan, gather(pos, index), op);
    return out;
}

void check_plan(const PositionPlan& plan, int length) {
    const bool ok = int(plan.query_scale.size()) >= length &&
                    (plan.inv_freq.empty() || (int(plan.near.q_pos.size()) >= length && int(plan.near.k_pos.size()) >= length)) &&
                    (!plan.far.enabled || (int(plan.far.pos.q_pos.size()) >= length && int(plan.far.pos.k_pos.size()) >= length));
    if (!ok) bad("the position plan covers fewer than the " + std::to_string(length) + " positions it is used for");
}

}  // namespace

void check_eviction_run(const ModelConfig& c, const std::vector<int>& tokens, const EvictionRun& r) {
    const int N = int(tokens.size());
    validate(r.policy);
    if (N < 2) bad("the text needs at least 2 tokens (got " + std::to_string(N) + ")");
    if (r.chunk < 1) bad("the chunk size must be at least 1 token (got " + std::to_string(r.chunk) + ")");
    if (r.probe_layer < -1 || r.probe_layer >= c.n_layers)
        bad("probe layer " + std::to_string(r.probe_layer) + " is out of range (the model has " +
            std::to_string(c.n_layers) + " layers)");
    if (r.probe_head < -1 || r.probe_head >= c.n_heads)
        bad("probe head " + std::to_string(r.probe_head) + " is out of range (the model has " +
            std::to_string(c.n_heads) + " heads)");
    if (r.map_grid < 0) bad("the map grid must be >= 0 (got " + std::to_string(r.map_grid) + ")");
    for (int t : tokens)
        if (t < 0 || t >= c.vocab_size) bad("token id " + std::to_string(t) + " is outside the vocabulary");
}

PositionPlan eviction_plan(const ModelConfig& c, int N, const EvictionRun& r,
                           const std::function<PositionPlan(int)>& plan_for) {
    const int length = r.positions == PositionBookkeeping::Original ? N : std::min(N, r.policy.budget + r.chunk);
    PositionPlan whole = plan_for(length);
    for (int l = 0; l < c.n_layers; ++l) check_plan(plan_for_layer(whole, c, l), length);
    return whole;
}

void eviction_indices(PositionBookkeeping b, int s, int n, const std::vector<int>& orig, std::vector<int>& qi,
                      std::vector<int>& ki) {
    const bool original = b == PositionBookkeeping::Original;
    const int m = int(orig.size()) - n;  // cached entries before the chunk's own
    qi.resize(size_t(n));
    ki.resize(orig.size());
    for (int t = 0; t < n; ++t) qi[size_t(t)] = original ? s + t : m + t;
    for (size_t j = 0; j < orig.size(); ++j) ki[j] = original ? orig[j] : int(j);
}

EvictionResult EvictionEngine::full_context(const std::vector<int>& tokens,
                                           const std::function<PositionPlan(int)>& plan_for, const EvictionRun& run,
                                           const std::function<void(int, int)>& progress) {
    return this->run(tokens, plan_for, nothing_evicted(run, int(tokens.size())), progress);
}

EvictionRun nothing_evicted(const EvictionRun& run, int tokens) {
    EvictionRun whole = run;
    whole.policy.policy = EvictionPolicy::Window;
    whole.policy.budget = std::max(tokens, 1);
    whole.probe_layer = -1;
    return whole;
}

EvictionResult EvictionSimulator::run(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                                      const EvictionRun& r, const std::function<void(int, int)>& progress) {
    const auto start = std::chrono::steady_clock::now();
    const ModelConfig& c = model_.config;
    const int N = int(tokens.size());
    check_eviction_run(c, tokens, r);
    const PositionPlan whole = eviction_plan(c, N, r, plan_for);

    const ref::Weights w = ref::cached_weights(model_.weights, dequantized_);
    const int H = c.n_heads, KV = c.n_kv_heads, hd = c.head_dim, D = c.dim;
    const int kvw = KV * hd;
    const bool wants_acc = r.policy.policy == EvictionPolicy::H2O, wants_votes = r.policy.policy == EvictionPolicy::SnapKV;
    std::vector<LayerCache> caches(size_t(c.n_layers));
    EvictionResult result;
    result.nll.assign(size_t(N - 1), 0.f);
    EvictionProbe probe_record(r, N, H);
    const int steps = (N + r.chunk - 1) / r.chunk;

    for (int step = 0; step < steps; ++step) {
        const int s = step * r.chunk, n = std::min(r.chunk, N - s);
        std::vector<float> x(size_t(n) * D), xb(x.size()), tmp(x.size());
        ref::embedding(w.embedding, tokens.data() + s, n, x.data());
        if (c.embedding_scale != 1.f) ref::affine(x.data(), n * D, c.embedding_scale, nullptr, 1);
        for (int l = 0; l < c.n_layers; ++l) {
            const Slots& lw = w.layers[size_t(l)];
            const PositionPlan& plan = plan_for_layer(whole, c, l);
            LayerCache& cache = caches[size_t(l)];
            const int m = int(cache.orig.size()), total = m + n;

            // Chunk projections (before rotation), appended after the cached entries.
            ref::norm(c, lw[ref::AttnNorm], lw[ref::AttnNormBias], x.data(), n, xb.data());
            std::vector<float> q(size_t(n) * H * hd), k = cache.k, v = cache.v;
            k.resize(size_t(total) * kvw);
            v.resize(k.size());
            parallel_rows(n, r.threads, [&](int t0, int t1) {
                ref::qkv_projections(c, lw, xb.data() + size_t(t0) * D, t1 - t0, q.data() + size_t(t0) * H * hd,
                                     k.data() + size_t(m + t0) * kvw, v.data() + size_t(m + t0) * kvw);
            });

            // Plan indices of the chunk's queries and of every key (bookkeeping of kv_eviction.hpp).
            std::vector<int> qi, ki, orig = cache.orig;
            for (int t = 0; t < n; ++t) orig.push_back(s + t);
            eviction_indices(r.positions, s, n, orig, qi, ki);
            const auto qn = rotated(q, H, hd, plan, plan.near.q_pos, qi, ref::RopeOperand::Query);
            const auto kn = rotated(k, KV, hd, plan, plan.near.k_pos, ki, ref::RopeOperand::Key);
            std::vector<float> qf, kf;
            if (plan.far.enabled) {
                qf = rotated(q, H, hd, plan, plan.far.pos.q_pos, qi, ref::RopeOperand::Query);
                kf = rotated(k, KV, hd, plan, plan.far.pos.k_pos, ki, ref::RopeOperand::Key);
            }
            const bool probe = l == r.probe_layer;
            std::vector<float> att(q.size()), probs;
            if (wants_acc || wants_votes || probe) probs.resize(size_t(H) * n * total);
            ref::attention_keyset(qn.data(), kn.data(), plan.far.enabled ? qf.data() : nullptr,
                                  plan.far.enabled ? kf.data() : nullptr, v.data(), n, qi.data(), total, ki.data(),
                                  H, KV, hd, plan, att.data(), probs.empty() ? nullptr : probs.data());
            parallel_rows(n, r.threads, [&](int t0, int t1) {
                ref::matmul(lw[ref::Wo], att.data() + size_t(t0) * H * hd, t1 - t0, tmp.data() + size_t(t0) * D);
            });

            // Residual and MLP, as in cpu_forward.cpp.
            auto mlp_rows = [&](const float* in, float* out) {
                parallel_rows(n, r.threads, [&](int t0, int t1) {
                    std::vector<float> h1(size_t(t1 - t0) * c.hidden_dim), h3(c.mlp == MlpType::SiLU ? 0 : h1.size());
                    ref::mlp_block(c, lw, in + size_t(t0) * D, t1 - t0, h1, h3, out + size_t(t0) * D);
                });
            };
            if (c.residual == Residual::PreNorm) {
                ref::residual_add(c, lw[ref::PostAttnNorm], tmp.data(), n, x.data());
                ref::norm(c, lw[ref::FfnNorm], lw[ref::FfnNormBias], x.data(), n, xb.data());
                mlp_rows(xb.data(), tmp.data());
                ref::residual_add(c, lw[ref::PostFfnNorm], tmp.data(), n, x.data());
            } else {  // PostFirstNorm: a = N1(x) + Attn(N1(x)); x = a + MLP(N2(a))
                ref::add_inplace(xb.data(), tmp.data(), n * D);
                ref::norm(c, lw[ref::FfnNorm], lw[ref::FfnNormBias], xb.data(), n, x.data());
                mlp_rows(x.data(), tmp.data());
                ref::add_inplace(xb.data(), tmp.data(), n * D);
                x.swap(xb);
            }

            // What the policies read: attention received, summed over heads (and queries).
            std::vector<double> acc, votes;
            if (wants_acc) {
                acc = cache.accumulated;
                acc.resize(size_t(total), 0.0);
                ref::add_key_mass(probs.data(), H, n, total, 0, acc.data());
            }
            if (wants_votes) {
                votes.assign(size_t(total), 0.0);
                ref::add_key_mass(probs.data(), H, n, total, n - std::min(r.policy.observe, n), votes.data());
            }
            if (probe) probe_record.add_chunk(s, n, cache.orig, orig, probs.data());

            // The chunk joins the cache; the policy cuts it back to the budget.
            const std::vector<int> keep = eviction_keep(r.policy, total, acc, votes, &result.min_margin);
            if (int(keep.size()) < total && l == std::max(r.probe_layer, 0)) ++result.evictions;
            LayerCache next;
            for (int j : keep) {
                next.orig.push_back(orig[size_t(j)]);
                next.k.insert(next.k.end(), k.begin() + size_t(j) * kvw, k.begin() + size_t(j + 1) * kvw);
                next.v.insert(next.v.end(), v.begin() + size_t(j) * kvw, v.begin() + size_t(j + 1) * kvw);
                if (wants_acc) next.accumulated.push_back(acc[size_t(j)]);
            }
            cache = std::move(next);
        }

        // Classifier of the chunk's rows: NLL of each next token.
        if (c.final_norm) {
            ref::norm(c, w.output_norm, w.output_norm_bias, x.data(), n, xb.data());
            x.swap(xb);
        }
        const int scored = std::min(n, N - 1 - s);
        parallel_rows(scored, r.threads, [&](int t0, int t1) {
            const int rows_per_pass = 16;
            std::vector<float> logits(size_t(rows_per_pass) * c.vocab_size);
            for (int a = t0; a < t1; a += rows_per_pass) {
                const int rows = std::min(rows_per_pass, t1 - a);
                ref::matmul(w.output, x.data() + size_t(a) * D, rows, logits.data());
                ref::nll(logits.data(), rows, c.vocab_size, tokens.data() + s + a + 1, result.nll.data() + s + a);
            }
        });
        if (progress) progress(step + 1, steps);
    }

    double sum = 0;
    for (float v : result.nll) sum += v;
    result.mean_nll = sum / double(result.nll.size());
    result.perplexity = std::exp(result.mean_nll);
    probe_record.finish(result);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace xl
