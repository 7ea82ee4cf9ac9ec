// GPU rope_apply with xPos magnitudes (position-methods.md §14) vs its CPU twin ref::rope_apply,
// queries and keys, over a grid: head dims 8 and 64 (full and half rotary), both pair layouts,
// γ = 64 / 512 / 2048 / 100, both centre conventions, positions from 0 and shifted to 2500.
// Tolerance: 2e-5 relative to the pair, max |gpu − ref| / max(1, |ref pair|) with |ref pair| the
// norm of the rotated pair (the factors reach 1e±25 here and differ per pair; one channel of a
// pair can cancel to near zero, so a per-element relative error would measure the cancellation).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/forward/gpu_ops.hpp"
#include "core/posenc/rope_math.hpp"
#include "core/ref/ops.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

struct Head {
    int hd, rope_dim;
    RopeLayout layout;
};

// max |got − want| / max(1, |want pair|) over rows of head_dim; dims past rope_dim pair with themselves.
double max_pair_rel_diff(const Head& h, const std::vector<float>& got, const std::vector<float>& want) {
    if (got.size() != want.size()) return 1e30;
    const int pairs = h.rope_dim / 2;
    double m = 0;
    for (size_t row = 0; row < want.size(); row += size_t(h.hd))
        for (int d = 0; d < h.hd; ++d) {
            int other = d;  // partner channel of d in its pair
            if (d < h.rope_dim) other = h.layout == RopeLayout::NeoX ? (d < pairs ? d + pairs : d - pairs) : (d ^ 1);
            const double a = want[row + size_t(d)], b = want[row + size_t(other)];
            const double scale = std::max(1.0, std::sqrt(a * a + (other == d ? 0.0 : b * b)));
            m = std::max(m, std::fabs(double(got[row + size_t(d)]) - a) / scale);
        }
    return m;
}

PositionPlan xpos_plan(const Head& h, int n, float gamma, float centre) {
    PositionPlan p;
    p.seq_len = n;
    p.layout = h.layout;
    p.rope_dim = h.rope_dim;
    for (int j = 0; j < h.rope_dim / 2; ++j) {
        p.inv_freq.push_back(float(rope::theta(j, h.rope_dim, 1e4)));
        p.xpos.zeta.push_back(float(rope::xpos_zeta(j, h.rope_dim)));
    }
    p.xpos.scale_base = gamma;
    p.xpos.centre = centre;
    return p;
}

// Worst relative error of queries and keys for one plan and position list.
double run_case(const Head& h, const PositionPlan& plan, const std::vector<float>& pos, uint32_t seed) {
    auto ctx = test::gpu_context();
    const int n = int(pos.size()), heads = 3;
    const size_t count = size_t(n) * heads * h.hd;
    const auto x = test::random_floats(count, seed, -2.f, 2.f);
    std::vector<float> want_q(x), want_k(x);
    ref::rope_apply(want_q.data(), n, heads, h.hd, plan, pos, ref::RopeOperand::Query);
    ref::rope_apply(want_k.data(), n, heads, h.hd, plan, pos, ref::RopeOperand::Key);
    gpu::Buffer gx = test::to_gpu(x), gpos = test::to_gpu(pos), gfreq = test::to_gpu(plan.inv_freq);
    gpu::Buffer gz = test::to_gpu(xpos_log2_zeta(plan)), gq = test::gpu_floats(count), gk = test::gpu_floats(count);
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    const bool neox = h.layout == RopeLayout::NeoX;
    const float rate = 1.f / plan.xpos.scale_base;
    ops.rope_apply(gx, gpos, gfreq, gq, n, heads, h.hd, h.rope_dim / 2, neox, 1.f, {&gz, rate, plan.xpos.centre});
    ops.rope_apply(gx, gpos, gfreq, gk, n, heads, h.hd, h.rope_dim / 2, neox, 1.f, {&gz, -rate, plan.xpos.centre});
    rec.submit();
    return std::max(max_pair_rel_diff(h, test::from_gpu(gq, count), want_q),
                    max_pair_rel_diff(h, test::from_gpu(gk, count), want_k));
}

}  // namespace

TEST_CASE("gpu ops: rope_apply with xpos magnitudes matches the reference over a grid") {
    const int n = 37;
    const Head heads[] = {{8, 8, RopeLayout::Normal}, {64, 64, RopeLayout::NeoX}, {64, 32, RopeLayout::Normal}};
    double worst = 0;
    uint32_t seed = 300;
    for (const Head& h : heads)
        for (float gamma : {64.f, 512.f, 2048.f, 100.f})
            for (bool zero_centre : {false, true})
                for (float shift : {0.f, 2500.f}) {
                    CAPTURE(h.hd); CAPTURE(h.rope_dim); CAPTURE(gamma); CAPTURE(zero_centre); CAPTURE(shift);
                    std::vector<float> pos(static_cast<size_t>(n));
                    for (int i = 0; i < n; ++i) pos[size_t(i)] = shift + float(i);
                    const float centre = zero_centre ? 0.f : float(rope::xpos_centre_torchscale(int(shift) + n));
                    const double e = run_case(h, xpos_plan(h, n, gamma, centre), pos, seed++);
                    CHECK(e < 2e-5);
                    worst = std::max(worst, e);
                }
    MESSAGE("xpos rope_apply: max relative |gpu - ref| over the grid = " << worst);
    test::check_validation_clean(*test::gpu_context());
}
