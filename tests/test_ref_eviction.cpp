// The KV-cache eviction simulation (core/ref/kv_eviction.hpp) on stories260K against
// independent computations with the whole-sequence CPU reference:
//  - budget >= N: nothing is evicted, every policy × bookkeeping × chunk size gives the full
//    pass's per-token NLL (within 1e-5), also for YaRN and Self-Extend (far branch);
//  - window/streaming with chunk 1 and original positions are the full pass with a sliding-window
//    (+ sinks) mask, within 1e-5; with reassigned positions and plain RoPE the window equals it
//    too (RoPE is relative: within 1e-4), streaming does not;
//  - the first H2O and SnapKV evictions pick the keys that the full pass's attention predicts;
//  - degenerate settings of h2o/snapkv/streaming are the window policy exactly; threads change nothing;
//  - ref::attention_keyset with identity indices is ref::attention bit for bit (ALiBi, window, sinks,
//    far branch), and over a key subset it is a naive softmax of those keys (within 1e-6);
//  - budget >= N is the full pass on random-weight models of every architecture and on alilama (ALiBi).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/kv_eviction.hpp"
#include "core/ref/ops.hpp"
#include "arch_models_for_tests.hpp"
#include "model_test_files.hpp"

namespace {

struct Fixture {
    xl::Model model = xl::load_model(xl::test::stories_gguf());
    std::vector<int> tokens;
    explicit Fixture(int n) {
        const auto stream = xl::load_token_stream(xl::test::shared("data/tinystories/valid-first201.txt"), *model.tokenizer);
        REQUIRE(int(stream.tokens.size()) >= n);
        tokens.assign(stream.tokens.begin(), stream.tokens.begin() + n);
    }
    std::function<xl::PositionPlan(int)> plans(const std::string& spec) const {
        const auto parsed = xl::parse_method_spec(spec);
        return [this, parsed](int n) { return xl::make_plan(parsed, model.config, n); };
    }
    std::vector<float> full_nll(const xl::PositionPlan& plan) const {
        xl::CpuForward fwd(model);
        xl::ForwardRequest req;
        req.tokens = tokens;
        req.plan = plan;
        return fwd.run(req).nll;
    }
    // Full-pass attention of one layer, mean over heads (n×n).
    std::vector<float> full_attention(const xl::PositionPlan& plan, int layer) const {
        xl::CpuForward fwd(model);
        xl::ForwardRequest req;
        req.tokens = tokens;
        req.plan = plan;
        req.want_nll = false;
        req.want_attention = true;
        req.probe = {layer, -1, 0};
        return fwd.run(req).attention;
    }
};

xl::EvictionRun settings(xl::EvictionPolicy p, xl::PositionBookkeeping b, int budget, int chunk) {
    xl::EvictionRun r;
    r.policy.policy = p;
    r.policy.budget = budget;
    r.positions = b;
    r.chunk = chunk;
    return r;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::fabs(a[i] - b[i])));
    return d;
}

const xl::EvictionPolicy kPolicies[] = {xl::EvictionPolicy::Window, xl::EvictionPolicy::Streaming,
                                        xl::EvictionPolicy::H2O, xl::EvictionPolicy::SnapKV};
const xl::PositionBookkeeping kBooks[] = {xl::PositionBookkeeping::Reassigned, xl::PositionBookkeeping::Original};

}  // namespace

TEST_CASE("eviction: budget at least the text length gives the full pass, every policy, bookkeeping and chunk") {
    const int N = 96;
    Fixture f(N);
    for (const std::string spec : {"none", "yarn:s=4,orig=32", "selfextend:G=4,W=16"}) {
        const auto plans = f.plans(spec);
        const auto full = f.full_nll(plans(N));
        xl::EvictionSimulator sim(f.model);
        for (auto p : kPolicies)
            for (auto b : kBooks)
                for (int chunk : {1, 7, 32, N}) {
                    if (chunk == 1 && p != xl::EvictionPolicy::H2O) continue;  // chunk 1 once is enough
                    auto r = settings(p, b, N, chunk);
                    const auto res = sim.run(f.tokens, plans, r);
                    CAPTURE(spec);
                    CAPTURE(xl::policy_name(p));
                    CAPTURE(xl::bookkeeping_name(b));
                    CAPTURE(chunk);
                    CHECK(max_abs_diff(res.nll, full) < 1e-5);
                    CHECK(res.evictions == 0);
                }
    }
}

TEST_CASE("eviction: window and streaming with chunk 1 and original positions are a sliding-window mask") {
    const int N = 120, budget = 24;
    Fixture f(N);
    const auto plans = f.plans("none");
    xl::EvictionSimulator sim(f.model);
    // Window: the cache before token i holds i−B..i−1, so i sees keys with i − j < B + 1.
    auto masked = plans(N);
    masked.window = budget + 1;
    const auto window_full = f.full_nll(masked);
    const auto window = sim.run(f.tokens, plans, settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, budget, 1));
    CHECK(max_abs_diff(window.nll, window_full) < 1e-5);
    CHECK(window.evictions == N - budget);
    // Streaming with S sinks: j < S or i − j < B − S + 1.
    auto r = settings(xl::EvictionPolicy::Streaming, xl::PositionBookkeeping::Original, budget, 1);
    r.policy.sinks = 4;
    masked.window = budget - 4 + 1;
    masked.sinks = 4;
    const auto streaming = sim.run(f.tokens, plans, r);
    CHECK(max_abs_diff(streaming.nll, f.full_nll(masked)) < 1e-5);
    // The mask matters: without it the losses differ.
    CHECK(max_abs_diff(window.nll, f.full_nll(plans(N))) > 1e-3);

    // Reassigned slots with plain RoPE: a window only shifts every position by the same amount,
    // so the scores are the same up to rounding; with sinks the sink distances shrink.
    const auto window_re = sim.run(f.tokens, plans, settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Reassigned, budget, 1));
    CHECK(max_abs_diff(window_re.nll, window_full) < 1e-4);
    r.positions = xl::PositionBookkeeping::Reassigned;
    const auto streaming_re = sim.run(f.tokens, plans, r);
    CHECK(max_abs_diff(streaming_re.nll, streaming.nll) > 1e-3);
}

TEST_CASE("eviction: degenerate h2o, snapkv and streaming settings are the window policy") {
    const int N = 100, budget = 20;
    Fixture f(N);
    const auto plans = f.plans("none");
    xl::EvictionSimulator sim(f.model);
    for (auto b : kBooks) {
        for (int chunk : {1, 9}) {
            const auto window = sim.run(f.tokens, plans, settings(xl::EvictionPolicy::Window, b, budget, chunk));
            CHECK(window.evictions > 0);
            auto h2o = settings(xl::EvictionPolicy::H2O, b, budget, chunk);
            h2o.policy.recent_share = 1.0;  // all of the budget recent
            auto snap = settings(xl::EvictionPolicy::SnapKV, b, budget, chunk);
            snap.policy.observe = budget;   // the observation window is the whole budget
            auto sinkless = settings(xl::EvictionPolicy::Streaming, b, budget, chunk);
            sinkless.policy.sinks = 0;
            CAPTURE(chunk);
            CHECK(sim.run(f.tokens, plans, h2o).nll == window.nll);
            CHECK(sim.run(f.tokens, plans, snap).nll == window.nll);
            CHECK(sim.run(f.tokens, plans, sinkless).nll == window.nll);
            // And a real heavy-hitter share evicts differently.
            h2o.policy.recent_share = 0.25;
            CHECK(max_abs_diff(sim.run(f.tokens, plans, h2o).nll, window.nll) > 1e-4);
        }
    }
}

TEST_CASE("eviction: the first h2o and snapkv evictions keep what the full pass's attention predicts") {
    const int N = 64, budget = 20, chunk = 8, layer = 2;
    Fixture f(N);
    const auto plans = f.plans("none");
    const auto att = f.full_attention(plans(N), layer);  // mean over heads; × H = sum over heads
    const int H = f.model.config.n_heads;
    xl::EvictionSimulator sim(f.model);
    // The first eviction happens after the third chunk (24 entries > 20); until then the cache is the
    // full pass, so the scores are sums of full-pass attention over rows 0..23.
    const int m = 24;
    auto kept_after_first = [&](xl::EvictionRun r) {
        r.probe_layer = layer;
        r.probe_head = 0;
        const auto res = sim.run(f.tokens, plans, r);
        REQUIRE(res.kept_before_chunk.size() > 3);
        return res.kept_before_chunk[3];
    };
    {   // H2O: top by attention accumulated over queries 0..23, recent half kept.
        auto r = settings(xl::EvictionPolicy::H2O, xl::PositionBookkeeping::Original, budget, chunk);
        std::vector<double> acc(static_cast<size_t>(m), 0.0);
        for (int i = 0; i < m; ++i)
            for (int j = 0; j <= i; ++j) acc[size_t(j)] += double(att[size_t(i) * N + j]) * H;
        const auto expected = xl::eviction_keep(r.policy, m, acc, {});
        CHECK(kept_after_first(r) == expected);
        std::vector<int> window(static_cast<size_t>(budget));
        std::iota(window.begin(), window.end(), m - budget);
        CHECK(expected != window);  // the prediction is not a plain window
    }
    {   // SnapKV: votes of queries 16..23 (observation window 8), max-pooled.
        auto r = settings(xl::EvictionPolicy::SnapKV, xl::PositionBookkeeping::Reassigned, budget, chunk);
        r.policy.observe = 4;
        std::vector<double> votes(static_cast<size_t>(m), 0.0);
        for (int i = m - 4; i < m; ++i)
            for (int j = 0; j <= i; ++j) votes[size_t(j)] += double(att[size_t(i) * N + j]) * H;
        CHECK(kept_after_first(r) == xl::eviction_keep(r.policy, m, {}, votes));
    }
}

TEST_CASE("eviction: probe attention rows sum to one over the cached and causal keys, threads change nothing") {
    const int N = 90, budget = 30, chunk = 16;
    Fixture f(N);
    const auto plans = f.plans("none");
    xl::EvictionSimulator sim(f.model);
    auto r = settings(xl::EvictionPolicy::Streaming, xl::PositionBookkeeping::Reassigned, budget, chunk);
    r.probe_layer = 1;
    r.probe_head = 3;
    const auto res = sim.run(f.tokens, plans, r);
    REQUIRE(int(res.kept_before_chunk.size()) == (N + chunk - 1) / chunk);
    for (int i = 0; i < N; ++i) {
        const int step = i / chunk, s = step * chunk;
        const auto& kept = res.kept_before_chunk[size_t(step)];
        CHECK(int(kept.size()) == std::min(s, budget));
        double in = 0, out = 0;
        for (int j = 0; j < N; ++j) {
            const bool visible = (j >= s && j <= i) || std::find(kept.begin(), kept.end(), j) != kept.end();
            (visible ? in : out) += res.attention[size_t(i) * N + j];
        }
        CHECK(in == doctest::Approx(1.0).epsilon(1e-5));
        CHECK(out == 0.0);
    }
    r.threads = 3;
    CHECK(sim.run(f.tokens, plans, r).nll == res.nll);
}

TEST_CASE("eviction: bad settings name the problem") {
    Fixture f(40);
    const auto plans = f.plans("none");
    xl::EvictionSimulator sim(f.model);
    auto r = settings(xl::EvictionPolicy::Streaming, xl::PositionBookkeeping::Original, 4, 8);
    r.policy.sinks = 4;
    CHECK_THROWS_WITH_AS(sim.run(f.tokens, plans, r), doctest::Contains("sinks < budget"), xl::Error);
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, 0, 8);
    CHECK_THROWS_WITH_AS(sim.run(f.tokens, plans, r), doctest::Contains("budget must be at least 1"), xl::Error);
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, 8, 0);
    CHECK_THROWS_WITH_AS(sim.run(f.tokens, plans, r), doctest::Contains("chunk size"), xl::Error);
    r.chunk = 4;
    r.probe_layer = 99;
    CHECK_THROWS_WITH_AS(sim.run(f.tokens, plans, r), doctest::Contains("probe layer 99"), xl::Error);
    CHECK_THROWS_WITH_AS(xl::parse_policy("lru"), doctest::Contains("valid: window, streaming, h2o, snapkv"), xl::Error);
    CHECK_THROWS_WITH_AS(xl::parse_bookkeeping("rotated"), doctest::Contains("valid: reassigned, original"), xl::Error);
}

TEST_CASE("eviction policy: kept slots on hand-made scores") {
    xl::EvictionPolicyParams p;
    p.budget = 5;
    p.policy = xl::EvictionPolicy::Window;
    CHECK(xl::eviction_keep(p, 8, {}, {}) == std::vector<int>{3, 4, 5, 6, 7});
    CHECK(xl::eviction_keep(p, 4, {}, {}) == std::vector<int>{0, 1, 2, 3});
    p.policy = xl::EvictionPolicy::Streaming;
    p.sinks = 2;
    CHECK(xl::eviction_keep(p, 8, {}, {}) == std::vector<int>{0, 1, 5, 6, 7});
    p.policy = xl::EvictionPolicy::H2O;
    p.recent_share = 0.4;  // 2 recent, 3 heavy among slots 0..5
    const std::vector<double> acc{0.1, 0.9, 0.2, 0.9, 0.05, 0.3, 0, 0};
    CHECK(xl::eviction_keep(p, 8, acc, {}) == std::vector<int>{1, 3, 5, 6, 7});
    p.policy = xl::EvictionPolicy::SnapKV;
    p.observe = 2;
    p.pool = 3;  // pooled over slots 0..5: {1, 1, 0.2, 0.2, 0.7, 0.7}
    const std::vector<double> votes{1.0, 0.1, 0.0, 0.2, 0.0, 0.7, 5, 5};
    CHECK(xl::eviction_keep(p, 8, {}, votes) == std::vector<int>{0, 1, 4, 6, 7});
    p.pool = 1;
    CHECK(xl::eviction_keep(p, 8, {}, votes) == std::vector<int>{0, 3, 5, 6, 7});
}

TEST_CASE("attention over a key set: identity indices are attention() exactly, a subset is a masked row") {
    // A synthetic plan with every branch of the score: ALiBi, a window with sinks, a far branch.
    const int n = 23, H = 4, KV = 2, hd = 8;
    xl::PositionPlan p;
    p.n_heads = H;
    p.query_scale.assign(size_t(n), 0.3f);
    p.alibi_slopes = {0.5f, 0.25f, 0.125f, 0.0625f};
    p.window = 9;
    p.sinks = 2;
    p.far.enabled = true;
    p.far.neighbour_window = 4;
    std::vector<float> q(size_t(n) * H * hd), k(size_t(n) * KV * hd), v(k.size()), qf(q.size()), kf(k.size());
    uint32_t state = 12345;
    auto next = [&] { state = state * 1664525u + 1013904223u; return float(int(state >> 9) % 2001 - 1000) / 500.f; };
    for (auto* x : {&q, &k, &v, &qf, &kf})
        for (float& e : *x) e = next();
    std::vector<float> want(q.size()), got(q.size()), probs(size_t(H) * n * n);
    xl::ref::attention(q.data(), k.data(), qf.data(), kf.data(), v.data(), n, H, KV, hd, p, want.data());
    std::vector<int> idx(static_cast<size_t>(n));
    std::iota(idx.begin(), idx.end(), 0);
    xl::ref::attention_keyset(q.data(), k.data(), qf.data(), kf.data(), v.data(), n, idx.data(), n, idx.data(), H, KV, hd, p,
                              got.data(), probs.data());
    CHECK(got == want);
    for (int h = 0; h < H; ++h)
        for (int t = 0; t < n; ++t) {
            double sum = 0;
            for (int j = 0; j < n; ++j) sum += probs[(size_t(h) * n + t) * n + j];
            CHECK(sum == doctest::Approx(1.0).epsilon(1e-6));
            CHECK(probs[(size_t(h) * n + t) * n + std::min(n - 1, t + 1)] == (t + 1 < n ? 0.f : probs[(size_t(h) * n + t) * n + t]));
        }
    // Query 20 over the keys {0, 5, 14, 20} only: the row of a full pass whose mask leaves exactly those.
    const std::vector<int> keys{0, 5, 14, 20};
    std::vector<float> ks, vs, kfs;
    for (int j : keys) {
        ks.insert(ks.end(), k.begin() + size_t(j) * KV * hd, k.begin() + size_t(j + 1) * KV * hd);
        kfs.insert(kfs.end(), kf.begin() + size_t(j) * KV * hd, kf.begin() + size_t(j + 1) * KV * hd);
        vs.insert(vs.end(), v.begin() + size_t(j) * KV * hd, v.begin() + size_t(j + 1) * KV * hd);
    }
    p.window = 0;  // visibility now comes from the key set alone
    const int qi = 20;
    std::vector<float> row(size_t(H) * hd);
    xl::ref::attention_keyset(q.data() + size_t(qi) * H * hd, ks.data(), qf.data() + size_t(qi) * H * hd, kfs.data(), vs.data(), 1,
                              &qi, 4, keys.data(), H, KV, hd, p, row.data());
    for (int h = 0; h < H; ++h) {  // naive softmax of the four scores
        const int g = h / (H / KV);
        double s[4], mx = -1e300, z = 0;
        for (int a = 0; a < 4; ++a) {
            const int j = keys[size_t(a)];
            const bool far = qi - j >= 4;
            double d = 0;
            for (int c = 0; c < hd; ++c)
                d += double((far ? qf : q)[(size_t(qi) * H + h) * hd + c]) * double((far ? kf : k)[(size_t(j) * KV + g) * hd + c]);
            s[a] = 0.3 * d - double(p.alibi_slopes[size_t(h)]) * (qi - j);
            mx = std::max(mx, s[a]);
        }
        for (double& e : s) z += (e = std::exp(e - mx));
        for (int c = 0; c < hd; ++c) {
            double o = 0;
            for (int a = 0; a < 4; ++a) o += s[a] / z * double(v[(size_t(keys[size_t(a)]) * KV + g) * hd + c]);
            CHECK(row[size_t(h) * hd + c] == doctest::Approx(o).epsilon(1e-6));
        }
    }
}

TEST_CASE("eviction: budget at least the text length gives the full pass on every architecture and on ALiBi") {
    // Every architecture's random-weight model and the real ALiBi model (its slopes' distances by plan index).
    xl::test::TempDir tmp;
    for (const xl::Model& m : xl::test::every_architecture_and_alibi(tmp)) {
        CAPTURE(m.config.name);
        const int N = 48;
        const std::vector<int> tokens = xl::test::cyclic_tokens(N, m.config.vocab_size);
        const auto none = xl::parse_method_spec("none");
        const auto plans = [&](int n) { return xl::make_plan(none, m.config, n); };
        xl::CpuForward fwd(m);
        xl::ForwardRequest req;
        req.tokens = tokens;
        req.plan = plans(N);
        const auto full = fwd.run(req).nll;
        xl::EvictionSimulator sim(m);
        for (auto b : kBooks) {
            CHECK(max_abs_diff(sim.run(tokens, plans, settings(xl::EvictionPolicy::H2O, b, N, 7)).nll, full) < 1e-5);
            const auto evicting = sim.run(tokens, plans, settings(xl::EvictionPolicy::Streaming, b, 16, 7));
            CHECK(evicting.evictions > 0);
            CHECK(std::isfinite(evicting.mean_nll));
        }
        // ALiBi: a chunk-1 window with original positions is the full pass with a sliding-window mask.
        if (m.config.position == xl::PositionSignal::ALiBi) {
            auto masked = plans(N);
            masked.window = 12 + 1;
            req.plan = masked;
            CHECK(max_abs_diff(sim.run(tokens, plans, settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, 12, 1)).nll,
                               fwd.run(req).nll) < 1e-5);
        }
    }
}
