// The analytic RoPE facts of position-methods.md §18 through rope_table() (what `extrapolab rope`
// prints) and rope_math: the head-dim-64 wavelength table, the critical dimension, the YaRN
// recommended temperatures.
#include <doctest/doctest.h>

#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;
using xl::test::rel_err;

TEST_CASE("posenc §18: head_dim 64, base 10000 wavelength table (all 32 rows)") {
    // θ_j and λ_j exactly as printed in the reference table (7 significant digits / 4 decimals).
    const double theta[32] = {1.000000,     0.7498942,    0.5623413,    0.4216965,    0.3162278,
                              0.2371374,    0.1778279,    0.1333521,    0.1,          0.07498942,
                              0.05623413,   0.04216965,   0.03162278,   0.02371374,   0.01778279,
                              0.01333521,   0.01,         0.007498942,  0.005623413,  0.004216965,
                              0.003162278,  0.002371374,  0.001778279,  0.001333521,  0.001,
                              7.498942e-4,  5.623413e-4,  4.216965e-4,  3.162278e-4,  2.371374e-4,
                              1.778279e-4,  1.333521e-4};
    const double lambda[32] = {6.2832,     8.3788,     11.1733,    14.8998,    19.8692,    26.4960,
                               35.3329,    47.1172,    62.8319,    83.7876,    111.7326,   148.9978,
                               198.6918,   264.9597,   353.3295,   471.1724,   628.3185,   837.8762,
                               1117.3259,  1489.9780,  1986.9177,  2649.5973,  3533.2948,  4711.7243,
                               6283.1853,  8378.7623,  11173.2591, 14899.7804, 19869.1765, 26495.9727,
                               35332.9475, 47117.2428};
    const RopeTable t = rope_table(parse_method_spec("none"), 64, 10000, 4096);
    REQUIRE(t.inv_freq.size() == 32);
    REQUIRE(t.wavelength.size() == 32);
    for (int j = 0; j < 32; ++j) {
        CAPTURE(j);
        CHECK(rel_err(t.inv_freq_original[j], theta[j]) < 1e-6);
        CHECK(t.inv_freq[j] == t.inv_freq_original[j]);
        CHECK(std::fabs(t.wavelength[j] - lambda[j]) < 5.01e-5);  // printed to 4 decimals
        CHECK(t.ramp[j] == 0);
    }
    CHECK(t.attention_factor == 1);
    // every 8 pairs the wavelength grows ×10
    CHECK(rel_err(t.wavelength[31] / t.wavelength[23], 10) < 1e-12);
}

TEST_CASE("posenc §18: critical dimension (RoPE scaling laws) for the reference configs") {
    const auto llama2 = rope::critical_dimension(128, 1e4, 4096);
    CHECK(llama2.raw == doctest::Approx(45.0269).epsilon(1e-6));
    CHECK(llama2.pairs == 46);
    CHECK(llama2.d_extra == 92);
    CHECK(llama2.t_extra == doctest::Approx(4711.7).epsilon(1e-4));
    CHECK(rope::critical_dimension(128, 5e5, 8192).d_extra == 70);  // Llama-3 8B
    CHECK(rope::critical_dimension(128, 1e6, 4096).d_extra == 62);
    // T_extra = 2π·b^(d_extra/d) for d_extra = 92
    CHECK(2 * rope::kPi * std::pow(5e5, 92.0 / 128) == doctest::Approx(78400).epsilon(1e-3));
    CHECK(2 * rope::kPi * std::pow(1e6, 92.0 / 128) == doctest::Approx(129027).epsilon(1e-5));
    // inverse: the base needed for a length with d_extra fixed at 92
    CHECK(rope::base_for_length(128, 92, 16384) == doctest::Approx(56628).epsilon(1e-4));
    CHECK(rope::base_for_length(128, 92, 32768) == doctest::Approx(148544).epsilon(1e-4));
    CHECK(rope::base_for_length(128, 92, 131072) == doctest::Approx(1.02e6).epsilon(5e-3));
    // same number as YaRN's ceil(corr_dim(beta_slow = 1)) (§18)
    CHECK(rope::yarn_corr_range(32, 1, 128, 1e4, 4096, true).high == 46);
}

TEST_CASE("posenc §18: YaRN recommended temperature 0.1 ln s + 1") {
    CHECK(rope::yarn_get_mscale(8) == doctest::Approx(1.2079442).epsilon(1e-7));
    CHECK(rope::yarn_get_mscale(16) == doctest::Approx(1.2772589).epsilon(1e-7));
    CHECK(std::pow(rope::yarn_get_mscale(16), 2) == doctest::Approx(1.6313902).epsilon(1e-7));
    CHECK(rope::yarn_get_mscale(32) == doctest::Approx(1.3465736).epsilon(1e-7));
    CHECK(std::pow(rope::yarn_get_mscale(32), 2) == doctest::Approx(1.8132604).epsilon(1e-7));
    CHECK(rope::yarn_get_mscale(1) == 1);
    CHECK(rope::yarn_get_mscale(0.5) == 1);
    // and the table reports it
    for (double s : {8.0, 16.0, 32.0}) {
        const auto t = rope_table(parse_method_spec("yarn:s=" + std::to_string(s)), 128, 1e4, 4096);
        CHECK(t.attention_factor == doctest::Approx(0.1 * std::log(s) + 1).epsilon(1e-12));
        CHECK(t.convention == "hf");
    }
}

TEST_CASE("posenc rope table: PI divides every frequency by s and marks all pairs interpolated") {
    const auto base = rope_table(parse_method_spec("none"), 64, 1e4, 512);
    const auto pi = rope_table(parse_method_spec("linear:s=4"), 64, 1e4, 512);
    for (int j = 0; j < 32; ++j) {
        CHECK(rel_err(pi.inv_freq[j], base.inv_freq[j] / 4) < 1e-15);
        CHECK(rel_err(pi.wavelength[j], base.wavelength[j] * 4) < 1e-12);
        CHECK(pi.ramp[j] == 1);
    }
    CHECK(pi.method == "linear:s=4");
    CHECK(pi.attention_factor == 1);
}
