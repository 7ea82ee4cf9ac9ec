// GPU rope_apply, attention, attention_probs and attention_rows vs their CPU twins (core/ref/ops.hpp) over a grid
// of plans: GQA ratios 1/2/4, head dims 8 and 64, partial rotary, both pair layouts, mscale,
// sliding windows with sinks, the far branch, ALiBi, per-query scales and xPos magnitudes (§14). n is not a multiple of
// the 64-query workgroup nor of the 16-key block. Tolerances: 2e-5 (rope), 1e-4 (attention output),
// 1e-5 (probabilities). Where attention runs on cooperative matrices (shaders/attention_coop.comp
// in its default split precision, a GPU that has them) the output is held to the same 1e-4 and the
// probabilities, which use its log-sum-exp, to 2e-5 (measured on the H200 over this file: at most
// 1.7e-6 and 7.3e-6); a grid over every head size of the cooperative variants, masks and position
// features covers that path (on lavapipe it checks the scalar kernel on the same grid).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "core/forward/gpu_ops.hpp"
#include "core/posenc/rope_math.hpp"
#include "core/ref/ops.hpp"
#include "tests/attention_test_plan.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;
using xl::test::Case;
using xl::test::make_test_plan;

namespace {

constexpr double kCoopOutTol = 1e-4, kCoopProbTol = 2e-5;

bool all_finite(const std::vector<float>& v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return true;
}

// Returns how often the segmented dispatch stopped between segments.
int check_case(const Case& c, uint32_t seed) {
    CAPTURE(c.n); CAPTURE(c.heads); CAPTURE(c.kv); CAPTURE(c.hd); CAPTURE(c.rope_dim); CAPTURE(c.window);
    CAPTURE(c.sinks); CAPTURE(c.far_window); CAPTURE(c.alibi);
    auto ctx = test::gpu_context();
    const PositionPlan plan = make_test_plan(c);
    const size_t qn = size_t(c.n) * c.heads * c.hd, kn = size_t(c.n) * c.kv * c.hd;
    const auto q = test::random_floats(qn, seed, -2.f, 2.f), k = test::random_floats(kn, seed + 1, -2.f, 2.f);
    const auto v = test::random_floats(kn, seed + 2);
    const bool far = plan.far.enabled && c.rope_dim > 0;

    // Reference: rotate copies, then attend (probabilities of head 1 and the mean of heads).
    std::vector<float> rq(q), rk(k), fq(q), fk(k);
    ref::rope_apply(rq.data(), c.n, c.heads, c.hd, plan, plan.near.q_pos, ref::RopeOperand::Query);
    ref::rope_apply(rk.data(), c.n, c.kv, c.hd, plan, plan.near.k_pos, ref::RopeOperand::Key);
    if (far) {
        ref::rope_apply(fq.data(), c.n, c.heads, c.hd, plan, plan.far.pos.q_pos, ref::RopeOperand::Query);
        ref::rope_apply(fk.data(), c.n, c.kv, c.hd, plan, plan.far.pos.k_pos, ref::RopeOperand::Key);
    }
    std::vector<float> want(qn), probs_h(size_t(c.n) * c.n), probs_mean(size_t(c.n) * c.n);
    const int head = c.heads > 1 ? 1 : 0;
    ref::attention(rq.data(), rk.data(), far ? fq.data() : nullptr, far ? fk.data() : nullptr, v.data(), c.n, c.heads,
                   c.kv, c.hd, plan, want.data(), probs_h.data(), head);
    std::vector<float> scratch(qn);
    ref::attention(rq.data(), rk.data(), far ? fq.data() : nullptr, far ? fk.data() : nullptr, v.data(), c.n, c.heads,
                   c.kv, c.hd, plan, scratch.data(), probs_mean.data(), -1);
    const int grid = 7;
    const auto want_grid = ref::reduce_grid(probs_mean, c.n, grid);
    // Chosen query rows (first, a third, last) of every head: the twin against attention()'s own
    // probabilities of `head`, then the GPU against the twin (written past a 5-float offset).
    const std::vector<int> rows = {0, c.n / 3, c.n - 1};
    const int R = int(rows.size());
    std::vector<float> want_rows(size_t(c.heads) * R * c.n);
    ref::attention_rows(rq.data(), rk.data(), far ? fq.data() : nullptr, far ? fk.data() : nullptr, c.n, c.heads, c.kv,
                        c.hd, plan, rows, want_rows.data());
    double twin_gap = 0;
    for (int r = 0; r < R; ++r)
        for (int j = 0; j < c.n; ++j)
            twin_gap = std::max(twin_gap, std::abs(double(want_rows[(size_t(head) * R + r) * c.n + j]) -
                                                   probs_h[size_t(rows[size_t(r)]) * c.n + j]));
    CHECK(twin_gap < 1e-6);

    // GPU: out-of-place far rotation, in-place near rotation, attention, probes.
    gpu::Buffer gq = test::to_gpu(q), gk = test::to_gpu(k), gv = test::to_gpu(v);
    gpu::Buffer gqf = test::gpu_floats(qn), gkf = test::gpu_floats(kn);
    std::vector<float> inv = plan.inv_freq;
    gpu::Buffer gfreq = test::to_gpu(inv), gqs = test::to_gpu(plan.query_scale), gsl = test::to_gpu(plan.alibi_slopes);
    gpu::Buffer gqp = test::to_gpu(plan.near.q_pos), gkp = test::to_gpu(plan.near.k_pos);
    gpu::Buffer gfqp = test::to_gpu(far ? plan.far.pos.q_pos : plan.near.q_pos);
    gpu::Buffer gfkp = test::to_gpu(far ? plan.far.pos.k_pos : plan.near.k_pos);
    gpu::Buffer out = test::gpu_floats(qn), lse = test::gpu_floats(size_t(c.n) * c.heads);
    gpu::Buffer p_full = test::gpu_floats(size_t(c.n) * c.n), p_grid = test::gpu_floats(size_t(grid) * grid);
    const std::vector<uint32_t> rows_u(rows.begin(), rows.end());
    gpu::Buffer g_rows(*ctx, rows_u.size() * 4), p_rows = test::gpu_floats(5 + want_rows.size());
    gpu::upload(*ctx, g_rows, rows_u.data(), rows_u.size() * 4);
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    const bool neox = c.layout == RopeLayout::NeoX;
    gpu::Buffer gzeta = test::to_gpu(xpos_log2_zeta(plan));
    RopeXpos xq, xk;
    if (!plan.xpos.zeta.empty()) {
        xq = {&gzeta, 1.f / plan.xpos.scale_base, plan.xpos.centre};
        xk = {&gzeta, -1.f / plan.xpos.scale_base, plan.xpos.centre};
    }
    if (c.rope_dim > 0) {
        if (far) {
            ops.rope_apply(gq, gfqp, gfreq, gqf, c.n, c.heads, c.hd, c.rope_dim / 2, neox, c.mscale, xq);
            ops.rope_apply(gk, gfkp, gfreq, gkf, c.n, c.kv, c.hd, c.rope_dim / 2, neox, c.mscale, xk);
        }
        ops.rope_apply(gq, gqp, gfreq, gq, c.n, c.heads, c.hd, c.rope_dim / 2, neox, c.mscale, xq);
        ops.rope_apply(gk, gkp, gfreq, gk, c.n, c.kv, c.hd, c.rope_dim / 2, neox, c.mscale, xk);
    }
    AttentionInputs in{&gq, &gk, far ? &gqf : nullptr, far ? &gkf : nullptr, &gv, &gqs, c.alibi ? &gsl : nullptr};
    AttentionShape shape{c.n, c.heads, c.kv, c.hd, c.window, c.sinks, c.far_window};
    ops.attention(in, shape, out, lse);
    ops.attention_probs(in, shape, lse, head, 0, p_full);
    ops.attention_probs(in, shape, lse, -1, grid, p_grid);
    ops.attention_rows(in, shape, lse, g_rows, R, p_rows, 5);
    rec.submit();

    CHECK(test::max_abs_diff(test::from_gpu(gq, qn), rq) < 2e-5);
    CHECK(test::max_abs_diff(test::from_gpu(gk, kn), rk) < 2e-5);
    const bool coop = uses_coop_attention(*ctx, c.hd);
    const std::vector<float> got = test::from_gpu(out, qn), got_p = test::from_gpu(p_full, probs_h.size());
    const double err = test::max_abs_diff(got, want), err_p = test::max_abs_diff(got_p, probs_h);
    MESSAGE("attention " << std::string(coop ? "coop" : "scalar") << " hd " << c.hd << " n " << c.n << " window " << c.window
                         << " sinks " << c.sinks << " far " << c.far_window << " alibi " << c.alibi
                         << " xpos " << c.xpos_gamma << ": max |Δout| = " << err << ", max |Δp| = " << err_p);
    CHECK(all_finite(got));
    CHECK(all_finite(got_p));
    CHECK(err < (coop ? kCoopOutTol : 1e-4));
    CHECK(err_p < (coop ? kCoopProbTol : 1e-5));
    CHECK(test::max_abs_diff(test::from_gpu(p_grid, want_grid.size()), want_grid) < (coop ? kCoopProbTol : 1e-5));
    const std::vector<float> got_rows_all = test::from_gpu(p_rows, 5 + want_rows.size());
    const std::vector<float> got_rows(got_rows_all.begin() + 5, got_rows_all.end());
    CHECK(all_finite(got_rows));
    CHECK(test::max_abs_diff(got_rows, want_rows) < (coop ? kCoopProbTol : 1e-5));

    // In segments (a pass that may stop inside its attention), submitted one at a time: the same bits.
    gpu::Buffer out2 = test::gpu_floats(qn), lse2 = test::gpu_floats(size_t(c.n) * c.heads);
    int stops = 0;
    double last = 0;
    ops.attention(in, shape, out2, lse2, [&](double done) {
        CHECK(done > last);
        CHECK(done < 1.0);
        last = done;
        ++stops;
        rec.submit();
    });
    rec.submit();
    const std::vector<float> got2 = test::from_gpu(out2, qn);
    CHECK(std::memcmp(got2.data(), got.data(), qn * 4) == 0);
    const std::vector<float> lse_a = test::from_gpu(lse, size_t(c.n) * c.heads), lse_b = test::from_gpu(lse2, size_t(c.n) * c.heads);
    CHECK(std::memcmp(lse_a.data(), lse_b.data(), lse_a.size() * 4) == 0);
    test::check_validation_clean(*ctx);
    return stops;
}

}  // namespace

TEST_CASE("gpu ops: attention with plain RoPE, GQA ratios and head dims 8/64") {
    check_case({.n = 37, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8}, 100);
    check_case({.n = 70, .heads = 4, .kv = 1, .hd = 64, .rope_dim = 64}, 110);
    check_case({.n = 81, .heads = 2, .kv = 2, .hd = 8, .rope_dim = 8, .layout = RopeLayout::NeoX}, 120);
    check_case({.n = 45, .heads = 4, .kv = 2, .hd = 64, .rope_dim = 32, .layout = RopeLayout::NeoX, .mscale = 1.2f}, 130);
}

TEST_CASE("gpu ops: attention with windows, sinks, far branch, ALiBi and query scales") {
    check_case({.n = 100, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .window = 16, .sinks = 4}, 200);
    check_case({.n = 90, .heads = 2, .kv = 1, .hd = 64, .rope_dim = 64, .window = 70, .sinks = 0}, 210);
    check_case({.n = 77, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .far_window = 12}, 220);
    check_case({.n = 66, .heads = 4, .kv = 4, .hd = 8, .rope_dim = 0, .alibi = true}, 230);
    check_case({.n = 99, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .window = 40, .sinks = 2, .far_window = 9,
                .alibi = true, .varying_scale = true}, 240);
}

TEST_CASE("gpu ops: attention with xpos magnitudes, near and far branch") {
    check_case({.n = 70, .heads = 4, .kv = 1, .hd = 64, .rope_dim = 32, .layout = RopeLayout::NeoX, .xpos_gamma = 64}, 250);
    check_case({.n = 77, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .far_window = 12, .varying_scale = true,
                .xpos_gamma = 512}, 260);
}

// Every head size of shaders/attention_coop.variants: 8 (padded to 16), 16, 32, 64 (4 subgroups), 80
// and 96 (not multiples of 32, 2 subgroups), 128; n across the 64- and 32-query workgroups and the 32-key blocks, with causal
// masks, windows with and without sinks (blocks whose rows are all masked), the far branch with
// per-query scales, ALiBi without rotation, and xPos with partial NeoX rotary.
TEST_CASE("gpu ops: attention over head sizes x masks x position features (cooperative grid)") {
    uint32_t seed = 300;
    for (int hd : {8, 16, 32, 64, 80, 96, 128}) {
        check_case({.n = 100, .heads = 4, .kv = 2, .hd = hd, .rope_dim = hd}, seed++);
        check_case({.n = 110, .heads = 2, .kv = 1, .hd = hd, .rope_dim = hd, .window = 24, .sinks = 3,
                    .far_window = 20, .varying_scale = true}, seed++);
        check_case({.n = 97, .heads = 4, .kv = 4, .hd = hd, .rope_dim = 0, .window = 7, .alibi = true}, seed++);
        check_case({.n = 90, .heads = 4, .kv = 1, .hd = hd, .rope_dim = hd / 2, .layout = RopeLayout::NeoX,
                    .far_window = 12, .xpos_gamma = 256}, seed++);
    }
}

// llvmpipe stops an invocation's loops after 65535 iterations in all (gallivm's loop limiter):
// rolled loops over the head vector cut the key loop short (head size 256 went wrong after ~250
// keys, 128 after ~500: Gemma 3 lost its context from position 192 on), and one 7×7 grid cell
// over 1100 tokens and 4 heads is ~98k iterations. Long windows for the large heads, on every device.
// A long causal pass goes in segments of about equal work (GpuOps::attention's `between`): 2900
// tokens × 2 heads is two segments, 3000 × 8 heads with a window six; every one equals one dispatch.
TEST_CASE("gpu ops: attention in segments equals one dispatch, bit for bit") {
    CHECK(check_case({.n = 2900, .heads = 2, .kv = 1, .hd = 8, .rope_dim = 8}, 950) == 1);
    CHECK(check_case({.n = 3000, .heads = 8, .kv = 2, .hd = 16, .rope_dim = 16, .window = 700, .sinks = 4}, 951) >= 4);
}

TEST_CASE("gpu ops: attention and its probe grid past llvmpipe's loop cap (n 600-1100, heads 64-256)") {
    check_case({.n = 600, .heads = 4, .kv = 1, .hd = 256, .rope_dim = 256}, 900);
    check_case({.n = 1100, .heads = 4, .kv = 1, .hd = 128, .rope_dim = 128}, 901);
    check_case({.n = 1100, .heads = 4, .kv = 1, .hd = 64, .rope_dim = 64, .window = 512}, 902);
}
