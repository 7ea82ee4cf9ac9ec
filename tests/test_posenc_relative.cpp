// Relative-position matrices and masks of the position-remapping methods against the formulas of
// position-methods.md: ReRoPE and Leaky ReRoPE (§10), Self-Extend (§11), StreamingLLM (§15),
// LM-Infinite (§16), sliding window, NoPE, NTK-ALiBi (§13).
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/relative_positions.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;

namespace {
const ModelConfig kRope = test::rope_config(8, 1e4, 64);
RelativePositions rel(const std::string& spec, int n) { return relative_positions(parse_method_spec(spec), kRope, n); }
}  // namespace

TEST_CASE("posenc relative positions: plain RoPE is i - j, causal") {
    const auto r = rel("none", 12);
    for (int i = 0; i < 12; ++i)
        for (int j = 0; j < 12; ++j) {
            if (j > i) {
                CHECK(!r.visible(i, j));
                CHECK(std::isnan(r.at(i, j)));
            } else {
                CHECK(r.at(i, j) == float(i - j));
                CHECK(r.branch_of(i, j) == RelativePositions::Near);
            }
        }
    // PI changes frequencies, not positions
    CHECK(rel("linear:s=4", 12).distance[5 * 12 + 2] == 3.f);
}

TEST_CASE("posenc §10 ReRoPE d' = min(d, w) and Leaky ReRoPE d' = w + (d - w)/k") {
    const int w = 5, n = 40;
    const auto r = rel("rerope:w=5", n);
    const auto l = rel("leakyrerope:w=5,k=4", n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) {
            const int d = i - j;
            CAPTURE(i);
            CAPTURE(j);
            CHECK(r.at(i, j) == float(d < w ? d : w));
            CHECK(l.at(i, j) == doctest::Approx(d < w ? d : w + (d - w) / 4.0).epsilon(1e-6));
            CHECK(r.branch_of(i, j) == (d < w ? RelativePositions::Near : RelativePositions::Far));
        }
    // shipped with log-n on L = training context: queries beyond 64 are scaled
    const auto p = make_plan(parse_method_spec("rerope:w=5"), kRope, 200);
    CHECK(p.query_scale[199] == doctest::Approx(std::log(200.0) / std::log(64.0) / std::sqrt(8.0)).epsilon(1e-6));
    CHECK(make_plan(parse_method_spec("rerope:w=5,logn=0"), kRope, 200).query_scale[199] ==
          doctest::Approx(1 / std::sqrt(8.0)));
}

TEST_CASE("posenc §11 Self-Extend: grouped distances, code shift W - W/G vs paper W - W//G") {
    const int n = 30;
    for (const auto& [spec_, shift_] : {std::pair<std::string, double>{"selfextend:G=3,W=4", 4 - 4 / 3.0},
                                      {"selfextend:G=3,W=4,conv=paper", 3.0},
                                      {"selfextend:G=8,W=16", 14.0}}) {
        const std::string spec = spec_;  // plain locals: clang cannot capture structured bindings
        const double shift = shift_;
        CAPTURE(spec);
        const int G = spec.find("G=8") != std::string::npos ? 8 : 3;
        const int W = G == 8 ? 16 : 4;
        const auto r = rel(spec, n);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j <= i; ++j) {
                const double want = i - j < W ? i - j : (i / G - j / G) + shift;
                CHECK(r.at(i, j) == doctest::Approx(want).epsilon(1e-6));
            }
    }
    // W=4, G=3: 2.667 vs 3 (§19 #12)
    CHECK(rel("selfextend:G=3,W=4", 10).at(9, 0) == doctest::Approx(3 + 8.0 / 3).epsilon(1e-6));
    CHECK(rel("selfextend:G=3,W=4,conv=paper", 10).at(9, 0) == 6.f);
}

TEST_CASE("posenc §15 StreamingLLM: sinks at S+R-j once the cache is full, recent keys at t-j") {
    const int S = 2, R = 5, n = 20;
    const auto r = rel("sinks:start=2,recent=5", n);
    for (int t = 0; t < n; ++t)
        for (int j = 0; j <= t; ++j) {
            CAPTURE(t);
            CAPTURE(j);
            if (t <= S + R) {
                CHECK(r.at(t, j) == float(t - j));  // everything visible, true distance
            } else if (j < S) {
                CHECK(r.at(t, j) == float(S + R - j));
            } else if (j >= t - R) {
                CHECK(r.at(t, j) == float(t - j));  // recent keys and the current token
            } else {
                CHECK(!r.visible(t, j));  // evicted
            }
        }
    // the largest distance never exceeds the cache size S+R
    float worst = 0;
    for (float d : r.distance)
        if (!std::isnan(d)) worst = std::max(worst, d);
    CHECK(worst == float(S + R));
}

TEST_CASE("posenc §16 LM-Infinite: Lambda mask and distance cap - window - combinations") {
    const int n = 30;
    const auto r = rel("lminfinite:local=8,global=2,limit=8", n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) {
            const bool vis = i - j < 8 || j < 2;
            CHECK(r.visible(i, j) == vis);
            if (vis) CHECK(r.at(i, j) == float(std::min(i - j, 8)));
        }
    const auto nocap = rel("lminfinite:local=8,global=2,limit=0", n);
    CHECK(nocap.at(29, 0) == 29.f);
    CHECK(!nocap.visible(29, 5));
    const auto w = rel("window:w=6", n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j <= i; ++j) CHECK(w.visible(i, j) == (i - j < 6));
    const auto p = make_plan(parse_method_spec("window:w=6"), kRope, n);
    CHECK(p.window == 6);
    CHECK(p.sinks == 0);
    CHECK_THROWS_AS(make_plan(parse_method_spec("window:w=6+sinks"), kRope, n), Error);  // two masks
    CHECK_THROWS_AS(make_plan(parse_method_spec("rerope+selfextend"), kRope, n), Error);  // two far branches
    CHECK_NOTHROW(make_plan(parse_method_spec("yarn:s=4+rerope:w=8+window:w=20"), kRope, n));
}

TEST_CASE("posenc nope: no rotation, no ALiBi bias") {
    const auto p = make_plan(parse_method_spec("nope"), kRope, 8);
    CHECK(p.inv_freq.empty());
    CHECK(p.rope_dim == 0);
    const auto a = make_plan(parse_method_spec("nope"), test::alibi_config(8), 8);
    CHECK(a.alibi_slopes.empty());
    CHECK(a.query_scale[0] == doctest::Approx(1 / std::sqrt(8.0)));
}

TEST_CASE("posenc §13 NTK-ALiBi: steepest head unchanged, flattest divided by a") {
    const auto cfg = test::alibi_config(8);
    const auto base = make_plan(parse_method_spec("alibi"), cfg, 4).alibi_slopes;
    const auto p = make_plan(parse_method_spec("ntkalibi:a=4"), cfg, 4).alibi_slopes;
    for (int h = 0; h < 8; ++h)  // m_h = 1/(2^(8h/H) · a^((h−1)/(H−1))), h = 1..H
        CHECK(p[h] == doctest::Approx(std::pow(2.0, -(h + 1)) / std::pow(4.0, h / 7.0)).epsilon(1e-6));
    CHECK(p[0] == base[0]);
    CHECK(p[7] == doctest::Approx(base[7] / 4).epsilon(1e-7));
    // H = 12 (non-monotone ALiBi-paper order): by rank the flattest head (index 7) gets the full a,
    // by index head 11 does; readme uses the naive slopes
    const auto cfg12 = test::alibi_config(12);
    const auto b12 = make_plan(parse_method_spec("alibi"), cfg12, 4).alibi_slopes;
    const auto rank = make_plan(parse_method_spec("ntkalibi:a=4"), cfg12, 4).alibi_slopes;
    const auto index = make_plan(parse_method_spec("ntkalibi:a=4,order=index"), cfg12, 4).alibi_slopes;
    const auto readme = make_plan(parse_method_spec("ntkalibi:a=4,order=readme"), cfg12, 4).alibi_slopes;
    CHECK(rank[7] == doctest::Approx(b12[7] / 4).epsilon(1e-6));
    CHECK(rank[8] == b12[8]);  // 2^-0.5 is the steepest
    CHECK(index[11] == doctest::Approx(b12[11] / 4).epsilon(1e-6));
    CHECK(index[0] == b12[0]);
    CHECK(readme[0] == doctest::Approx(std::pow(2.0, -8.0 / 12)).epsilon(1e-6));
    CHECK(readme[11] == doctest::Approx(std::pow(2.0, -8.0) / 4).epsilon(1e-6));
}
