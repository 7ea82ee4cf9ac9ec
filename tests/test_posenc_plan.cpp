// Plan invariants (position-methods.md §1, §12): positions, query scales, rope_dim, layout, log-n.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;

TEST_CASE("posenc plan: plain RoPE positions 0..n-1, 1/sqrt(head_dim), rope_dim, layout") {
    auto cfg = test::rope_config(16, 1e4, 512);
    cfg.rope_dim = 8;  // partial rotary
    const auto p = make_plan(parse_method_spec("none"), cfg, 10);
    REQUIRE(p.near.q_pos.size() == 10);
    for (int i = 0; i < 10; ++i) {
        CHECK(p.near.q_pos[i] == float(i));
        CHECK(p.near.k_pos[i] == float(i));
        CHECK(p.query_scale[i] == doctest::Approx(0.25));
    }
    CHECK(p.rope_dim == 8);
    CHECK(p.inv_freq.size() == 4);
    CHECK(p.inv_freq[3] == float(std::pow(1e4, -6.0 / 8)));
    CHECK(!p.far.enabled);
    CHECK(p.window == 0);
    CHECK(p.seq_len == 10);
    CHECK(p.n_heads == 4);
    CHECK(p.layout == RopeLayout::Normal);
    CHECK(make_plan(parse_method_spec("none:layout=neox"), cfg, 4).layout == RopeLayout::NeoX);
    cfg.rope_layout = RopeLayout::NeoX;
    CHECK(make_plan(parse_method_spec("linear:s=2"), cfg, 4).layout == RopeLayout::NeoX);
    CHECK_THROWS_AS(make_plan(parse_method_spec("none"), cfg, 0), Error);
}

TEST_CASE("posenc §12 log-n: kappa(p) = max(1, ln(p+1)/ln L) - 13/12 at L=4096, p=8191") {
    CHECK(rope::logn_factor(8191, 4096) == doctest::Approx(13.0 / 12).epsilon(1e-14));
    CHECK(rope::logn_factor(100, 4096) == 1);
    const auto cfg = test::rope_config(64, 1e4, 4096);
    const auto p = make_plan(parse_method_spec("logn"), cfg, 8192);
    const double base = 1 / std::sqrt(64.0);
    CHECK(p.query_scale[8191] == doctest::Approx(base * 13 / 12).epsilon(1e-6));
    CHECK(p.query_scale[4095] == doctest::Approx(base).epsilon(1e-7));
    CHECK(p.query_scale[4096] > p.query_scale[4095]);
    CHECK(p.method == "logn:L=4096");
    // per-length variant: the same factor for every query
    const auto q = make_plan(parse_method_spec("logn_len"), cfg, 8192);
    CHECK(q.query_scale[0] == doctest::Approx(base * 13 / 12).epsilon(1e-6));
    CHECK(q.query_scale[0] == q.query_scale[8191]);
    // L= override, and combination with a frequency method multiplies into the same scale
    const auto r = make_plan(parse_method_spec("yarn:s=4,conv=paper+logn:L=1024"), cfg, 4096);
    const double f = 0.1 * std::log(4.0) + 1;
    CHECK(r.query_scale[4095] == doctest::Approx(base * f * f * 12.0 / 10).epsilon(1e-6));
    CHECK(r.query_scale[10] == doctest::Approx(base * f * f).epsilon(1e-6));
}
