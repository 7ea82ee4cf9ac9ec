// NTK-aware scaling, Dynamic NTK (HF), PI and ABF (position-methods.md §2-§4).
#include <doctest/doctest.h>

#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;
using xl::test::rel_err;

TEST_CASE("posenc §3 NTK-aware: highest frequency unchanged, lowest divided by exactly alpha") {
    for (int d : {8, 64, 128}) {
        for (double a : {2.0, 4.0, 8.0}) {
            const auto t = rope_table(parse_method_spec("ntk:a=" + std::to_string(a)), d, 1e4, 512);
            CAPTURE(d);
            CAPTURE(a);
            CHECK(t.inv_freq[0] == t.inv_freq_original[0]);
            CHECK(rel_err(t.inv_freq_original[d / 2 - 1] / t.inv_freq[d / 2 - 1], a) < 1e-12);
            // b' = b·α^(d/(d−2))
            CHECK(rel_err(t.inv_freq[1], std::pow(1e4 * std::pow(a, double(d) / (d - 2)), -2.0 / d)) < 1e-12);
            for (int j = 1; j < d / 2; ++j) CHECK(t.inv_freq[j] < t.inv_freq_original[j]);
        }
    }
}

TEST_CASE("posenc §4 Dynamic NTK alpha, HF convention (L0 = 4096)") {
    using rope::dynntk_alpha_hf;
    CHECK(dynntk_alpha_hf(1, 4097, 4096) == doctest::Approx(1.00024).epsilon(1e-5));
    CHECK(dynntk_alpha_hf(2, 4097, 4096) == doctest::Approx(1.00049).epsilon(1e-5));
    CHECK(dynntk_alpha_hf(1, 6000, 4096) == doctest::Approx(1.4648).epsilon(1e-4));
    CHECK(dynntk_alpha_hf(2, 6000, 4096) == doctest::Approx(1.9297).epsilon(1e-4));
    CHECK(dynntk_alpha_hf(1, 8192, 4096) == 2);
    CHECK(dynntk_alpha_hf(2, 8192, 4096) == 3);
    CHECK(dynntk_alpha_hf(1, 8193, 4096) == doctest::Approx(2.0002).epsilon(1e-4));
    CHECK(dynntk_alpha_hf(2, 8193, 4096) == doctest::Approx(3.0005).epsilon(1e-4));
    CHECK(dynntk_alpha_hf(4, 100, 4096) == 1);  // L := max(L, L0)
}

TEST_CASE("posenc §4 dynntk plan: base from the plan's sequence length, L0 from the model or orig=") {
    const auto cfg = test::rope_config(64, 1e4, 4096);
    const auto short_plan = make_plan(parse_method_spec("dynntk:s=2"), cfg, 1000);
    const auto plain = make_plan(parse_method_spec("none"), cfg, 1000);
    CHECK(short_plan.inv_freq == plain.inv_freq);  // α = 1 within the training length
    const auto long_plan = make_plan(parse_method_spec("dynntk:s=2"), cfg, 8192);
    const double b = 1e4 * std::pow(3.0, 64.0 / 62);
    CHECK(rel_err(long_plan.inv_freq[31], std::pow(b, -62.0 / 64)) < 1e-6);
    CHECK(long_plan.convention == "hf");
    const auto orig_plan = make_plan(parse_method_spec("dynntk:s=2,orig=2048"), cfg, 4096);
    CHECK(rel_err(plain.inv_freq[31] / orig_plan.inv_freq[31], 3) < 1e-6);  // α = 3 at L = 2·L0
    CHECK(long_plan.method == "dynntk:s=2,orig=4096");
}

TEST_CASE("posenc §2 PI is theta/s on a model - abf is a plain base change") {
    const auto cfg = test::rope_config(8, 1e4, 512);
    const auto pi = make_plan(parse_method_spec("linear:s=4"), cfg, 64);
    for (int j = 0; j < 4; ++j) CHECK(rel_err(pi.inv_freq[j], rope::theta(j, 8, 1e4) / 4) < 1e-6);
    CHECK(pi.mscale == 1.0f);
    const auto abf = make_plan(parse_method_spec("abf:base=40000"), cfg, 64);
    for (int j = 0; j < 4; ++j) CHECK(rel_err(abf.inv_freq[j], rope::theta(j, 8, 40000)) < 1e-6);
    CHECK(abf.method == "abf:base=40000");
    const auto t = rope_table(parse_method_spec("abf:base=40000"), 8, 1e4, 512);
    CHECK(t.inv_freq_original[3] == rope::theta(3, 8, 1e4));  // the table's original is the given base
}

TEST_CASE("posenc §3 NTK-RoPE-mixed: theta_j*exp(-a(j+1)^b), lowest frequency divided by k") {
    const auto t = rope_table(parse_method_spec("ntkmixed"), 128, 1e4, 4096);
    CHECK(rel_err(t.inv_freq_original[63] / t.inv_freq[63], 12) < 1e-12);
    const double a = std::log(12.0) / std::pow(64.0, 0.75);
    for (int j = 0; j < 64; ++j) CHECK(rel_err(t.inv_freq[j], t.inv_freq_original[j] * std::exp(-a * std::pow(j + 1, 0.75))) < 1e-12);
    CHECK(rel_err(rope_table(parse_method_spec("ntkmixed:k=4"), 64, 1e4, 512).inv_freq_original[31] /
                      rope_table(parse_method_spec("ntkmixed:k=4"), 64, 1e4, 512).inv_freq[31],
                  4) < 1e-12);
}
