// YaRN (position-methods.md §6): correction range, ramp, attention factor, and the conventions.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;
using xl::test::rel_err;

TEST_CASE("posenc §6.1 worked example: Llama-2 d=128, b=1e4, L=4096") {
    CHECK(rope::yarn_corr_dim(32, 128, 1e4, 4096) == doctest::Approx(20.9445).epsilon(1e-5));
    CHECK(rope::yarn_corr_dim(1, 128, 1e4, 4096) == doctest::Approx(45.0269).epsilon(1e-5));
    const auto r = rope::yarn_corr_range(32, 1, 128, 1e4, 4096, true);
    CHECK(r.low == 20);
    CHECK(r.high == 46);
    const double s = 16;
    const RopeTable t = rope_table(parse_method_spec("yarn:s=16,orig=4096"), 128, 1e4, 4096);
    CHECK(t.ramp_low == 20);
    CHECK(t.ramp_high == 46);
    for (int j = 0; j < 64; ++j) {
        CAPTURE(j);
        const double th = rope::theta(j, 128, 1e4);
        if (j <= 20) CHECK(t.inv_freq[j] == th);                        // untouched
        if (j >= 46) CHECK(rel_err(t.inv_freq[j], th / s) < 1e-14);     // divided by s
    }
    CHECK(t.ramp[33] == doctest::Approx(0.5));
    const double th33 = rope::theta(33, 128, 1e4);
    CHECK(rel_err(t.inv_freq[33], th33 * (0.5 / s + 0.5)) < 1e-14);
    CHECK(t.attention_factor == doctest::Approx(1.2772589).epsilon(1e-7));
}

TEST_CASE("posenc §6.1 gpt-oss truncate=False: fractional low/high, HF vs llama.cpp") {
    const auto r = rope::yarn_corr_range(32, 1, 64, 150000, 4096, false);
    CHECK(r.low == doctest::Approx(8.092779115512402).epsilon(1e-12));
    CHECK(r.high == doctest::Approx(17.39802450158856).epsilon(1e-12));
    const auto hf = rope_table(parse_method_spec("yarn:s=32,orig=4096,truncate=0"), 64, 150000, 4096);
    CHECK(hf.ramp_low == doctest::Approx(8.092779115512402).epsilon(1e-12));
    CHECK(hf.ramp_high == doctest::Approx(17.39802450158856).epsilon(1e-12));
    CHECK(hf.ramp[9] == doctest::Approx((9 - r.low) / (r.high - r.low)).epsilon(1e-12));
    // llama.cpp always rounds: 8 / 18, and refuses truncate=0
    const auto lc = rope_table(parse_method_spec("yarn:s=32,orig=4096,conv=llamacpp"), 64, 150000, 4096);
    CHECK(lc.ramp_low == 8);
    CHECK(lc.ramp_high == 18);
    CHECK(lc.convention == "llama.cpp");
    CHECK_THROWS_AS(rope_table(parse_method_spec("yarn:s=32,truncate=0,conv=llamacpp"), 64, 150000, 4096),
                    Error);
}

TEST_CASE("posenc §6.1 keras-hub raw highs and the clamp at d-1") {
    CHECK(rope::yarn_corr_dim(1, 64, 1e4, 131072) == doctest::Approx(34.55).epsilon(2e-4));
    CHECK(rope::yarn_corr_dim(1, 128, 1e4, 131072) == doctest::Approx(69.11).epsilon(2e-4));
    CHECK(rope::yarn_corr_dim(1, 64, 1e4, 4096) == doctest::Approx(22.51).epsilon(2e-4));
    // d=64, L=131072: high = ceil(34.55) = 35 stays (clamp at d−1 = 63, not d/2−1 = 31)
    const auto r = rope::yarn_corr_range(32, 1, 64, 1e4, 131072, true);
    CHECK(r.high == 35);
    CHECK(rope::yarn_ramp_code(31, r) < 1);
}

TEST_CASE("posenc §6.3 attention factor: HF explicit, mscale ratio, llama.cpp ext_factor, paper temperature") {
    const auto cfg = test::rope_config(128, 1e4, 4096);
    auto plan = [&](const std::string& s) { return make_plan(parse_method_spec(s), cfg, 16); };
    const double f16 = 0.1 * std::log(16.0) + 1;
    const auto hf = plan("yarn:s=16");
    CHECK(hf.mscale == doctest::Approx(f16).epsilon(1e-6));
    CHECK(hf.query_scale[5] == doctest::Approx(1 / std::sqrt(128.0)).epsilon(1e-7));
    CHECK(plan("yarn:s=64,attention_factor=1").mscale == 1.0f);  // §19 #2: HF uses it verbatim
    CHECK(plan("yarn:s=16,attn_factor=0.5").mscale == doctest::Approx(0.5 * f16).epsilon(1e-6));
    const double ratio = (0.1 * 0.707 * std::log(16.0) + 1) / (0.1 * 1.0 * std::log(16.0) + 1);
    CHECK(plan("yarn:s=16,mscale=0.707,mscale_all_dim=1").mscale == doctest::Approx(ratio).epsilon(1e-6));
    CHECK(plan("yarn:s=16,conv=llamacpp").mscale == doctest::Approx(f16).epsilon(1e-6));
    const auto pi_like = plan("yarn:s=16,conv=llamacpp,ext_factor=0");  // ggml: no ramp, no factor
    CHECK(pi_like.mscale == 1.0f);
    CHECK(rel_err(pi_like.inv_freq[3], rope::theta(3, 128, 1e4) / 16) < 1e-6);
    CHECK_THROWS_AS(plan("yarn:s=16,conv=llamacpp,attention_factor=1"), Error);
    // paper: temperature on all logits (eq. 21-22), not on cos/sin
    const auto paper = plan("yarn:s=16,conv=paper");
    CHECK(paper.mscale == 1.0f);
    CHECK(paper.query_scale[0] == doctest::Approx(f16 * f16 / std::sqrt(128.0)).epsilon(1e-6));
    CHECK(paper.convention == "paper");
}

TEST_CASE("posenc §5 paper ramp (linear in r) vs code ramp (linear in j): j=33 weights 0.85 vs 0.5") {
    const auto code = rope_table(parse_method_spec("yarn:s=16,orig=4096"), 128, 1e4, 4096);
    const auto paper = rope_table(parse_method_spec("yarn:s=16,orig=4096,conv=paper"), 128, 1e4, 4096);
    CHECK(code.ramp[33] == doctest::Approx(0.5));
    CHECK(paper.ramp[33] == doctest::Approx(0.85).epsilon(2e-3));
    // the paper ramp: r = L/λ; r > 32 untouched, r < 1 divided by s
    for (int j = 0; j < 64; ++j) {
        const double r = 4096 / code.wavelength[j];  // code keeps λ for j <= 20
        if (j <= 20 && r > 32) CHECK(paper.ramp[j] == 0);
        if (j >= 46) CHECK(paper.ramp[j] == 1);
    }
    // up to ×3 inv_freq difference inside the ramp band (§5)
    double worst = 1;
    for (int j = 21; j < 46; ++j) worst = std::max(worst, code.inv_freq[j] / paper.inv_freq[j]);
    CHECK(worst > 2.5);
    CHECK(worst < 3.5);
}

TEST_CASE("posenc yarn plan: rope_freqs divide θ before interpolation - abf changes the base first") {
    auto cfg = test::rope_config(8, 1e4, 512);
    cfg.rope_freq_factors = {1, 2, 4, 8};
    const auto p = make_plan(parse_method_spec("none"), cfg, 4);
    for (int j = 0; j < 4; ++j) CHECK(rel_err(p.inv_freq[j], rope::theta(j, 8, 1e4) / cfg.rope_freq_factors[j]) < 1e-6);
    const auto cfg2 = test::rope_config(128, 1e4, 4096);
    const auto y = make_plan(parse_method_spec("abf:base=5e5+yarn:s=4"), cfg2, 8);
    const auto r = rope::yarn_corr_range(32, 1, 128, 5e5, 4096, true);
    CHECK(y.inv_freq[0] == 1.0f);
    CHECK(rel_err(y.inv_freq[63], rope::theta(63, 128, 5e5) / 4) < 1e-6);
    CHECK(r.high < 46);  // a larger base moves the ramp
    // the plan names the effective parameters, the model-derived orig included
    CHECK(y.method.rfind("abf:base=500000+yarn:s=4,orig=4096,beta_fast=32,beta_slow=1,", 0) == 0);
    CHECK(y.method.find("conv=hf") != std::string::npos);
}

TEST_CASE("posenc §19 #4/#5 older HF generations: HF-A range on max_pos, HF-B s = max_pos/orig") {
    // vectors: max_pos 131072, orig 4096, factor 16
    auto cfg = test::rope_config(128, 1e4, 4096);
    cfg.file_context_length = 131072;
    const auto a = make_plan(parse_method_spec("yarn:s=16,orig=4096,conv=hf-a"), cfg, 8);
    const auto c = make_plan(parse_method_spec("yarn:s=16,orig=4096"), cfg, 8);
    const auto t_a = rope_table(parse_method_spec("yarn:s=16,orig=4096,conv=hf-a,max_pos=131072"), 128, 1e4, 4096);
    CHECK(t_a.ramp_low == 45);
    CHECK(t_a.ramp_high == 70);  // HF-A: 45/70 instead of 20/46
    CHECK(a.inv_freq[44] == float(rope::theta(44, 128, 1e4)));  // HF-A: still untouched at j = 44
    CHECK(c.inv_freq[44] < a.inv_freq[44]);
    const auto b = make_plan(parse_method_spec("yarn:s=16,orig=4096,conv=hf-b"), cfg, 8);
    const auto s32 = make_plan(parse_method_spec("yarn:s=32,orig=4096"), cfg, 8);
    CHECK(b.inv_freq == s32.inv_freq);  // HF-B uses s = 131072/4096 = 32
    CHECK(b.mscale == s32.mscale);
    CHECK(b.convention == "hf-b");
    // without orig in the spec HF-B keeps the explicit factor
    CHECK(make_plan(parse_method_spec("yarn:s=16,conv=hf-b"), cfg, 8).inv_freq == c.inv_freq);
    CHECK_THROWS_AS(make_plan(parse_method_spec("yarn:s=16,conv=hf-a,truncate=0"), cfg, 8), Error);
}

TEST_CASE("posenc file: the model file's rope scaling compiled in llama.cpp's convention") {
    auto cfg = test::rope_config(64, 1e4, 4096);
    CHECK(make_plan(parse_method_spec("file"), cfg, 8).inv_freq == make_plan(parse_method_spec("none"), cfg, 8).inv_freq);
    cfg.rope_scaling.type = "linear";
    cfg.rope_scaling.factor = 4;
    CHECK(make_plan(parse_method_spec("file"), cfg, 8).inv_freq == make_plan(parse_method_spec("linear:s=4"), cfg, 8).inv_freq);
    cfg.rope_scaling.type = "yarn";
    cfg.rope_scaling.factor = 8;
    cfg.rope_scaling.original_context = 2048;
    const auto f = make_plan(parse_method_spec("file"), cfg, 8);
    const auto y = make_plan(parse_method_spec("yarn:s=8,orig=2048,conv=llamacpp"), cfg, 8);
    CHECK(f.inv_freq == y.inv_freq);
    CHECK(f.mscale == y.mscale);
    CHECK(f.convention == "llama.cpp");
    cfg.rope_scaling.type = "su-mystery";
    CHECK_THROWS_AS(make_plan(parse_method_spec("file"), cfg, 8), Error);
}
