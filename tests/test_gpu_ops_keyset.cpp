// GPU attention over an explicit key set (the KEYSET variants of attention and attention_rows,
// and attention_key_mass) vs their CPU twins ref::attention_keyset and ref::add_key_mass, over a
// grid: GQA ratios, head dims 8 and 64, windows with sinks, the far branch, ALiBi and per-query
// scales; key sets as a cache leaves them (a sparse subset of earlier tokens plus a chunk, at
// original indices) and as the reassigned bookkeeping gives them (slots 0..m−1, queries after).
// q and k are random and taken as already rotated; the last case's heads × queries (16640) take
// the key mass in two query slices. Tolerances: 1e-4 (attention output), 1e-5
// (probabilities), 2e-5 relative to max(1, mass) (key mass: a float sum over heads × queries).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/forward/gpu_ops.hpp"
#include "core/ref/ops.hpp"
#include "tests/attention_test_plan.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;
using xl::test::Case;

namespace {

// Plan indices of a cache of `kept` entries among tokens [0, s) followed by a chunk [s, s+nq):
// original (sparse, the tokens' own indices) or reassigned (slots 0..kept+nq−1).
struct KeySet {
    std::vector<int> qi, ki;
};

KeySet make_keyset(int s, int kept, int nq, bool original, uint32_t seed) {
    std::vector<int> all(static_cast<size_t>(s));
    std::iota(all.begin(), all.end(), 0);
    std::mt19937 rng(seed);
    std::shuffle(all.begin(), all.end(), rng);
    all.resize(size_t(kept));
    std::sort(all.begin(), all.end());
    KeySet k;
    for (int t = 0; t < nq; ++t) all.push_back(s + t);
    for (int t = 0; t < nq; ++t) k.qi.push_back(original ? s + t : kept + t);
    for (size_t j = 0; j < all.size(); ++j) k.ki.push_back(original ? all[j] : int(j));
    return k;
}

void check_keyset(const Case& c, int s, int kept, int nq, bool original, int first_query, uint32_t seed) {
    CAPTURE(c.heads); CAPTURE(c.kv); CAPTURE(c.hd); CAPTURE(c.window); CAPTURE(c.sinks); CAPTURE(c.far_window);
    CAPTURE(c.alibi); CAPTURE(s); CAPTURE(kept); CAPTURE(nq); CAPTURE(original);
    auto ctx = test::gpu_context();
    const PositionPlan plan = test::make_test_plan(c);  // c.n = the plan's length
    const KeySet ks = make_keyset(s, kept, nq, original, seed);
    const int m = int(ks.ki.size());
    const size_t qn = size_t(nq) * c.heads * c.hd, kn = size_t(m) * c.kv * c.hd;
    const auto q = test::random_floats(qn, seed, -2.f, 2.f), k = test::random_floats(kn, seed + 1, -2.f, 2.f);
    const auto v = test::random_floats(kn, seed + 2);
    const auto qf = test::random_floats(qn, seed + 3, -2.f, 2.f), kf = test::random_floats(kn, seed + 4, -2.f, 2.f);
    const bool far = plan.far.enabled;

    std::vector<float> want(qn), probs(size_t(c.heads) * nq * m);
    ref::attention_keyset(q.data(), k.data(), far ? qf.data() : nullptr, far ? kf.data() : nullptr, v.data(), nq,
                          ks.qi.data(), m, ks.ki.data(), c.heads, c.kv, c.hd, plan, want.data(), probs.data());
    std::vector<double> want_mass(static_cast<size_t>(m), 0.0);
    ref::add_key_mass(probs.data(), c.heads, nq, m, first_query, want_mass.data());

    std::vector<float> scale(static_cast<size_t>(nq));  // per query row, as the simulation uploads it
    for (int t = 0; t < nq; ++t) scale[size_t(t)] = plan.query_scale[size_t(ks.qi[size_t(t)])];
    const std::vector<uint32_t> qi(ks.qi.begin(), ks.qi.end()), ki(ks.ki.begin(), ks.ki.end());
    std::vector<uint32_t> rows(static_cast<size_t>(nq));
    std::iota(rows.begin(), rows.end(), 0u);
    gpu::Buffer gq = test::to_gpu(q), gk = test::to_gpu(k), gv = test::to_gpu(v), gqf = test::to_gpu(qf),
                gkf = test::to_gpu(kf), gs = test::to_gpu(scale), gsl = test::to_gpu(plan.alibi_slopes),
                gqi = test::to_gpu(qi), gki = test::to_gpu(ki), grows = test::to_gpu(rows);
    gpu::Buffer out = test::gpu_floats(qn), lse = test::gpu_floats(size_t(nq) * c.heads);
    gpu::Buffer p_rows = test::gpu_floats(3 + probs.size()), mass = test::gpu_floats(7 + size_t(m));
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    AttentionInputs in{&gq, &gk, far ? &gqf : nullptr, far ? &gkf : nullptr, &gv, &gs, c.alibi ? &gsl : nullptr, &gqi, &gki};
    AttentionShape shape{nq, c.heads, c.kv, c.hd, c.window, c.sinks, c.far_window};
    shape.keys = m;
    ops.attention(in, shape, out, lse);
    ops.attention_rows(in, shape, lse, grows, nq, p_rows, 3);
    ops.attention_key_mass(in, shape, lse, first_query, mass, 7);
    rec.submit();

    const double err = test::max_abs_diff(test::from_gpu(out, qn), want);
    const auto got_rows_all = test::from_gpu(p_rows, 3 + probs.size());
    const double err_p = test::max_abs_diff(std::vector<float>(got_rows_all.begin() + 3, got_rows_all.end()), probs);
    const auto got_mass = test::from_gpu(mass, 7 + size_t(m));
    double err_mass = 0;
    for (int j = 0; j < m; ++j)
        err_mass = std::max(err_mass, std::fabs(double(got_mass[size_t(7 + j)]) - want_mass[size_t(j)]) /
                                          std::max(1.0, want_mass[size_t(j)]));
    MESSAGE("keyset hd " << c.hd << " keys " << m << " queries " << nq << std::string(original ? " original" : " reassigned")
                         << " window " << c.window << " far " << c.far_window << " alibi " << c.alibi
                         << ": max |dout| = " << err << ", max |dp| = " << err_p << ", max rel |dmass| = " << err_mass);
    CHECK(err < 1e-4);
    CHECK(err_p < 1e-5);
    CHECK(err_mass < 2e-5);
    test::check_validation_clean(*ctx);
}

}  // namespace

TEST_CASE("gpu ops: attention over a key set equals the CPU twin, with its probabilities and key mass") {
    // Plain scores, GQA 2 and 4, head dims 8 and 64, both bookkeepings, chunks not a multiple of 64 queries.
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8}, 150, 40, 23, true, 0, 10);
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8}, 150, 40, 23, false, 15, 20);
    check_keyset({.n = 200, .heads = 4, .kv = 1, .hd = 64, .rope_dim = 64}, 120, 70, 70, true, 62, 30);
    check_keyset({.n = 90, .heads = 2, .kv = 2, .hd = 64, .rope_dim = 64}, 20, 20, 65, false, 0, 40);
}

TEST_CASE("gpu ops: a key set under windows, sinks, the far branch, ALiBi and per-query scales") {
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .window = 30, .sinks = 4}, 160, 50, 17, true, 0, 50);
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .far_window = 12}, 160, 50, 17, true, 9, 60);
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .far_window = 12}, 160, 50, 17, false, 0, 70);
    check_keyset({.n = 200, .heads = 4, .kv = 4, .hd = 8, .rope_dim = 0, .alibi = true}, 100, 33, 40, true, 0, 80);
    check_keyset({.n = 200, .heads = 4, .kv = 2, .hd = 64, .rope_dim = 64, .window = 60, .sinks = 2, .far_window = 9,
                  .alibi = true, .varying_scale = true},
                 170, 45, 29, true, 20, 90);
    // 64 heads × 260 queries: the key mass in two query slices, the second adding to the first.
    check_keyset({.n = 400, .heads = 64, .kv = 8, .hd = 8, .rope_dim = 8}, 100, 30, 260, true, 0, 100);
}
