// xPos (position-methods.md §14) on the CPU: worked values of ζ_j = (2j + 0.4d)/(1.4d) for d = 64,
// the logit factor ζ_j^((m−n)/γ), the two centre conventions (same relative factor, different
// absolute magnitudes), the plan and rope-table fields, composition and bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "core/ref/ops.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;
using xl::test::rel_err;

namespace {

// A head of `plan.rope_dim` dims holding (1, 0) on pair j (Normal layout) and 0 elsewhere, rotated
// at `pos` as a query or a key by the reference op.
std::vector<float> unit_pair(const PositionPlan& plan, int j, float pos, ref::RopeOperand side) {
    std::vector<float> x(size_t(plan.rope_dim), 0.f);
    x[size_t(2 * j)] = 1.f;
    ref::rope_apply(x.data(), 1, 1, plan.rope_dim, plan, {pos}, side);
    return x;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
    return s;
}

double norm(const std::vector<float>& a) { return std::sqrt(dot(a, a)); }

}  // namespace

TEST_CASE("posenc §14 xpos: zeta_j for d=64 and the logit factor zeta_j^((m-n)/gamma)") {
    CHECK(rope::xpos_zeta(0, 64) == doctest::Approx(2.0 / 7).epsilon(1e-15));      // 25.6/89.6
    CHECK(rope::xpos_zeta(1, 64) == doctest::Approx(0.30803571428571).epsilon(1e-12));
    CHECK(rope::xpos_zeta(16, 64) == doctest::Approx(9.0 / 14).epsilon(1e-15));    // 57.6/89.6
    CHECK(rope::xpos_zeta(31, 64) == doctest::Approx(219.0 / 224).epsilon(1e-15)); // 87.6/89.6
    // Relative factor = q factor × k factor, whatever the centre c.
    auto logit = [](int j, double m, double n, double c) {
        const double z = rope::xpos_zeta(j, 64);
        return rope::xpos_factor(z, m, c, 512, false) * rope::xpos_factor(z, n, c, 512, true);
    };
    for (double c : {0.0, 1024.0, 37.0}) {
        CAPTURE(c);
        CHECK(logit(0, 512, 0, c) == doctest::Approx(2.0 / 7).epsilon(1e-12));
        CHECK(logit(0, 1024, 0, c) == doctest::Approx(4.0 / 49).epsilon(1e-12));
        CHECK(logit(16, 1280, 1024, c) == doctest::Approx(0.80178372573727).epsilon(1e-12));  // √(9/14)
        CHECK(logit(31, 2048, 1024, c) == doctest::Approx(0.95585538903061).epsilon(1e-12));  // (219/224)²
        CHECK(logit(5, 700, 700, c) == doctest::Approx(1.0).epsilon(1e-15));
    }
    // Absolute factors: query at 1536, key at 1024 of a 2048-token sequence.
    CHECK(rope::xpos_centre_torchscale(2048) == 1024);  // −min_pos, min_pos = −2048//2
    CHECK(rope::xpos_centre_torchscale(5) == 3);        // −(−5//2) = 3 (floor division)
    const double z0 = rope::xpos_zeta(0, 64);
    CHECK(rope::xpos_factor(z0, 1536, 1024, 512, false) == doctest::Approx(2.0 / 7).epsilon(1e-12));
    CHECK(rope::xpos_factor(z0, 1024, 1024, 512, true) == 1.0);
    CHECK(rope::xpos_factor(z0, 1536, 0, 512, false) == doctest::Approx(8.0 / 343).epsilon(1e-12));
    CHECK(rope::xpos_factor(z0, 1024, 0, 512, true) == doctest::Approx(49.0 / 4).epsilon(1e-12));
}

TEST_CASE("posenc §14 xpos: plan fields, both centres through the reference op") {
    const auto cfg = test::rope_config(64, 1e4, 512);
    const PositionPlan ts = make_plan(parse_method_spec("xpos"), cfg, 2048);
    const PositionPlan zero = make_plan(parse_method_spec("xpos:centre=zero"), cfg, 2048);
    const PositionPlan plain = make_plan(parse_method_spec("none"), cfg, 2048);
    CHECK(ts.method == "xpos:scale_base=512,centre=torchscale");
    CHECK(ts.convention == "xpos-centre-torchscale");
    CHECK(zero.convention == "xpos-centre-zero");
    CHECK(ts.inv_freq == plain.inv_freq);  // rotation: plain RoPE at the model's base
    CHECK(ts.mscale == 1.f);
    REQUIRE(ts.xpos.zeta.size() == 32);
    CHECK(ts.xpos.zeta[0] == float(2.0 / 7));
    CHECK(ts.xpos.scale_base == 512.f);
    CHECK(ts.xpos.centre == 1024.f);
    CHECK(zero.xpos.centre == 0.f);
    CHECK(plain.xpos.zeta.empty());
    CHECK(make_plan(parse_method_spec("xpos"), cfg, 7).xpos.centre == 4.f);

    // q at m, k at n on pair j: q·k = ζ_j^((m−n)/γ)·cos((m−n)θ_j) under both centres; |q| differs.
    for (const auto& [j_, m_, n_] : std::vector<std::tuple<int, float, float>>{{0, 1536, 1024}, {16, 2000, 10}, {31, 700, 699}}) {
        const int j = j_;  // plain locals: clang cannot capture structured bindings
        const float m = m_, n = n_;
        CAPTURE(j); CAPTURE(m); CAPTURE(n);
        const double z = rope::xpos_zeta(j, 64);
        const double want = std::pow(z, (m - n) / 512.0) * std::cos((m - n) * double(plain.inv_freq[size_t(j)]));
        const double a = dot(unit_pair(ts, j, m, ref::RopeOperand::Query), unit_pair(ts, j, n, ref::RopeOperand::Key));
        const double b = dot(unit_pair(zero, j, m, ref::RopeOperand::Query), unit_pair(zero, j, n, ref::RopeOperand::Key));
        CHECK(a == doctest::Approx(want).epsilon(1e-5));
        CHECK(b == doctest::Approx(want).epsilon(1e-5));
        CHECK(norm(unit_pair(ts, j, m, ref::RopeOperand::Query)) == doctest::Approx(std::pow(z, (m - 1024) / 512.0)).epsilon(1e-6));
        CHECK(norm(unit_pair(zero, j, m, ref::RopeOperand::Query)) == doctest::Approx(std::pow(z, m / 512.0)).epsilon(1e-6));
    }
}

TEST_CASE("posenc §14 xpos: composes with frequency remaps and modifiers, rope table, bad input") {
    const auto cfg = test::rope_config(64, 1e4, 512);
    const PositionPlan lin = make_plan(parse_method_spec("linear:s=4+xpos:scale_base=256"), cfg, 1000);
    CHECK(lin.method == "linear:s=4+xpos:scale_base=256,centre=torchscale");
    CHECK(lin.inv_freq == make_plan(parse_method_spec("linear:s=4"), cfg, 1000).inv_freq);
    CHECK(lin.xpos.scale_base == 256.f);
    CHECK(lin.xpos.centre == 500.f);
    const PositionPlan yl = make_plan(parse_method_spec("yarn:s=4+xpos+logn"), cfg, 2048);
    const PositionPlan y = make_plan(parse_method_spec("yarn:s=4+logn"), cfg, 2048);
    CHECK(yl.inv_freq == y.inv_freq);
    CHECK(yl.mscale == y.mscale);
    CHECK(yl.query_scale == y.query_scale);
    CHECK(yl.xpos.zeta.size() == 32);
    CHECK(y.xpos.zeta.empty());

    const RopeTable t = rope_table(parse_method_spec("xpos:scale_base=1024"), 64, 1e4, 4096);
    CHECK(t.inv_freq == rope_table(parse_method_spec("none"), 64, 1e4, 4096).inv_freq);
    REQUIRE(t.xpos_zeta.size() == 32);
    CHECK(rel_err(t.xpos_zeta[16], 9.0 / 14) < 1e-7);  // stored as float in the plan
    CHECK(t.xpos_scale_base == 1024);
    CHECK(rope_table(parse_method_spec("none"), 64, 1e4, 4096).xpos_zeta.empty());

    CHECK_THROWS_AS(make_plan(parse_method_spec("xpos"), test::alibi_config(4), 64), Error);
    CHECK_THROWS_AS(make_plan(parse_method_spec("nope+xpos"), cfg, 64), Error);
    CHECK_THROWS_AS(make_plan(parse_method_spec("xpos:scale_base=0"), cfg, 64), Error);
    CHECK_THROWS_AS(make_plan(parse_method_spec("xpos:centre=middle"), cfg, 64), Error);
    CHECK_THROWS_AS(make_plan(parse_method_spec("xpos+xpos"), cfg, 64), Error);
}
