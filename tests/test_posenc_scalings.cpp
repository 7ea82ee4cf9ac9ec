// The frequency methods of issue 4 against position-methods.md: NTK-by-parts (§5), Dynamic YaRN
// (§6.5), DeepSeek YaRN (§6.4), Dynamic PI (§7), LongRoPE (§8), Llama-3 (§9), Qwen (§4, §12).
#include <doctest/doctest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;
using xl::test::rel_err;

TEST_CASE("posenc §5 ntkparts: code ramp 0.5 vs paper ramp 0.85 at j=33, no attention factor") {
    const auto code = rope_table(parse_method_spec("ntkparts:s=16,orig=4096"), 128, 1e4, 4096);
    const auto paper = rope_table(parse_method_spec("ntkparts:s=16,orig=4096,ramp=paper"), 128, 1e4, 4096);
    const auto yarn = rope_table(parse_method_spec("yarn:s=16,orig=4096"), 128, 1e4, 4096);
    CHECK(code.ramp[33] == doctest::Approx(0.5));
    CHECK(paper.ramp[33] == doctest::Approx(0.85).epsilon(2e-3));
    CHECK(code.inv_freq == yarn.inv_freq);  // "NTK-by-parts in code = YaRN frequencies"
    CHECK(code.attention_factor == 1);
    CHECK(paper.convention == "paper");
    const double th = rope::theta(33, 128, 1e4);
    CHECK(rel_err(paper.inv_freq[33], th * (paper.ramp[33] / 16 + 1 - paper.ramp[33])) < 1e-14);
}

TEST_CASE("posenc §6.5 dynyarn: plain until orig, then scale = L/orig for both theta and mscale") {
    const auto cfg = test::rope_config(64, 1e4, 512);
    const auto plain = make_plan(parse_method_spec("none"), cfg, 512);
    const auto at512 = make_plan(parse_method_spec("dynyarn"), cfg, 512);
    CHECK(at512.inv_freq == plain.inv_freq);
    CHECK(at512.mscale == 1.0f);
    const auto at2048 = make_plan(parse_method_spec("dynyarn"), cfg, 2048);
    const auto yarn4 = make_plan(parse_method_spec("yarn:s=4"), cfg, 2048);
    CHECK(at2048.inv_freq == yarn4.inv_freq);
    CHECK(at2048.mscale == doctest::Approx(0.1 * std::log(4.0) + 1).epsilon(1e-6));
    // fine-tuned at s = 4: scale 4 until L > 4·orig, then L/orig
    CHECK(make_plan(parse_method_spec("dynyarn:s=4"), cfg, 600).inv_freq == make_plan(parse_method_spec("yarn:s=4"), cfg, 600).inv_freq);
    CHECK(make_plan(parse_method_spec("dynyarn:s=4"), cfg, 4096).inv_freq == make_plan(parse_method_spec("yarn:s=8"), cfg, 4096).inv_freq);
}

TEST_CASE("posenc §6.4 yarn_deepseek: V3 s=40 softmax multiplier 1.8738, rotary factor 1") {
    const auto cfg = test::rope_config(64, 1e4, 4096);
    const auto p = make_plan(parse_method_spec("yarn_deepseek:s=40"), cfg, 8);
    CHECK(p.mscale == 1.0f);
    CHECK(p.query_scale[3] * std::sqrt(64.0) == doctest::Approx(1.8738).epsilon(1e-4));
    CHECK(p.query_scale[3] * std::sqrt(64.0) == doctest::Approx(std::pow(0.1 * std::log(40.0) + 1, 2)).epsilon(1e-6));
    CHECK(p.inv_freq == make_plan(parse_method_spec("yarn:s=40"), cfg, 8).inv_freq);
    // V2-style mscale 0.707 / mscale_all_dim 0.707: rotary 1, softmax (0.1·0.707·ln s + 1)²
    const auto v2 = make_plan(parse_method_spec("yarn_deepseek:s=40,mscale=0.707,mscale_all_dim=0.707"), cfg, 8);
    CHECK(v2.mscale == 1.0f);
    CHECK(v2.query_scale[0] * 8 == doctest::Approx(std::pow(0.0707 * std::log(40.0) + 1, 2)).epsilon(1e-6));
}

TEST_CASE("posenc §7 dynpi: PI with s = L/orig beyond the training context") {
    const auto cfg = test::rope_config(8, 1e4, 512);
    CHECK(make_plan(parse_method_spec("dynpi"), cfg, 300).inv_freq == make_plan(parse_method_spec("none"), cfg, 300).inv_freq);
    const auto p = make_plan(parse_method_spec("dynpi"), cfg, 1536);
    for (int j = 0; j < 4; ++j) CHECK(rel_err(p.inv_freq[j], rope::theta(j, 8, 1e4) / 3) < 1e-6);
}

TEST_CASE("posenc §9 llama3: Llama-3.1 divisors (d=128, b=5e5, orig 8192, s=8)") {
    const auto t = rope_table(parse_method_spec("llama3:orig=8192"), 128, 5e5, 8192);
    const double smoothed[6] = {1.2075, 1.5534, 2.0263, 2.6945, 3.6843, 5.2573};
    for (int j = 0; j < 64; ++j) {
        CAPTURE(j);
        const double div = t.inv_freq_original[j] / t.inv_freq[j];
        if (j <= 28) CHECK(div == 1);
        else if (j <= 34) CHECK(div == doctest::Approx(smoothed[j - 29]).epsilon(1e-4));
        else CHECK(rel_err(div, 8) < 1e-14);
    }
    CHECK(t.ramp[40] == doctest::Approx(1));
    CHECK(t.ramp[10] == 0);
    // the converter's baked rope_freqs divisors give the same plan (from=model), and plain "none"
    auto cfg = test::rope_config(128, 5e5, 8192);
    for (int j = 0; j < 64; ++j) cfg.rope_freq_factors.push_back(float(t.inv_freq_original[j] / t.inv_freq[j]));
    const auto from_model = make_plan(parse_method_spec("llama3:from=model"), cfg, 4);
    const auto from_params = make_plan(parse_method_spec("llama3"), cfg, 4);
    const auto none = make_plan(parse_method_spec("none"), cfg, 4);
    for (int j = 0; j < 64; ++j) {
        CHECK(from_model.inv_freq[j] == doctest::Approx(from_params.inv_freq[j]).epsilon(1e-6));
        CHECK(none.inv_freq[j] == from_model.inv_freq[j]);
    }
    CHECK_THROWS_AS(make_plan(parse_method_spec("llama3:from=model"), test::rope_config(8, 1e4, 512), 4), Error);
}

TEST_CASE("posenc §8 longrope: su attention factor 1.1902381 and the HF / llama.cpp selection rules") {
    CHECK(rope::longrope_su_factor(32, 4096) == doctest::Approx(1.1902381).epsilon(1e-7));
    auto cfg = test::rope_config(8, 1e4, 512);
    cfg.file_context_length = 2048;  // a long-context configuration, trained at 512
    const std::string lists = "long=4/4/4/4,short=1/1/2/2";
    const auto hf_short = make_plan(parse_method_spec("longrope:s=32,orig=512," + lists), cfg, 100);
    const auto hf_long = make_plan(parse_method_spec("longrope:s=32,orig=512," + lists), cfg, 1000);
    const auto lc_short = make_plan(parse_method_spec("longrope:s=32,orig=512,select=llamacpp," + lists), cfg, 100);
    for (int j = 0; j < 4; ++j) {
        const double th = rope::theta(j, 8, 1e4);
        CHECK(rel_err(hf_short.inv_freq[j], th / (j < 2 ? 1 : 2)) < 1e-6);  // HF: short prompt, short set
        CHECK(rel_err(hf_long.inv_freq[j], th / 4) < 1e-6);
        CHECK(rel_err(lc_short.inv_freq[j], th / 4) < 1e-6);  // llama.cpp: ctx 2048 > 512, long set
    }
    const double su = std::sqrt(1 + std::log(32.0) / std::log(512.0));
    CHECK(hf_short.mscale == doctest::Approx(su).epsilon(1e-6));  // applied for either set
    CHECK(lc_short.convention == "llama.cpp");
    CHECK(make_plan(parse_method_spec("longrope:s=32,policy=yarn," + lists), cfg, 8).mscale ==
          doctest::Approx(0.1 * std::log(32.0) + 1).epsilon(1e-6));
    // factors from the model's tensors; wrong counts and missing factors are errors
    cfg.rope_factors_long = {2, 2, 2, 2};
    cfg.rope_factors_short = {1, 1, 1, 1};
    const auto m = make_plan(parse_method_spec("longrope"), cfg, 1000);
    CHECK(rel_err(m.inv_freq[3], rope::theta(3, 8, 1e4) / 2) < 1e-6);
    CHECK(m.method.find("long=") == std::string::npos);  // re-parsing the resolved spec reads the model again
    CHECK(std::find(m.notes.begin(), m.notes.end(), "longrope: long factors from the model's rope_factors_long") !=
          m.notes.end());
    // dynamic variant: λ' = 1 + (λ−1)(s_cur−1)/(s−1); at L = 1024, s_cur = 2, s = 5: λ = 2 → 1.25
    const auto dyn = make_plan(parse_method_spec("longrope:s=5,dynamic=1"), cfg, 1024);
    CHECK(rel_err(dyn.inv_freq[3], rope::theta(3, 8, 1e4) / 1.25) < 1e-6);
    CHECK_THROWS_AS(make_plan(parse_method_spec("longrope:long=1/2/3"), cfg, 1000), Error);
    CHECK_THROWS_AS(make_plan(parse_method_spec("longrope"), test::rope_config(8, 1e4, 512), 1000), Error);
}

TEST_CASE("posenc §4 qwenntk step alpha (L0 = 4096) and qwenlogn = per-position log-n") {
    CHECK(rope::qwen_ntk_alpha(4096, 4096) == 1);
    CHECK(rope::qwen_ntk_alpha(4097, 4096) == 3);
    CHECK(rope::qwen_ntk_alpha(6000, 4096) == 3);
    CHECK(rope::qwen_ntk_alpha(8192, 4096) == 3);
    CHECK(rope::qwen_ntk_alpha(8193, 4096) == 7);
    CHECK(rope::qwen_ntk_alpha(100, 4096) == 1);
    const auto cfg = test::rope_config(64, 1e4, 4096);
    const auto q = make_plan(parse_method_spec("qwenntk"), cfg, 4097);
    const auto ntk3 = make_plan(parse_method_spec("ntk:a=3"), cfg, 4097);
    CHECK(q.inv_freq == ntk3.inv_freq);
    CHECK(q.convention == "qwen");
    const auto a = make_plan(parse_method_spec("qwenlogn"), cfg, 8192);
    const auto b = make_plan(parse_method_spec("logn"), cfg, 8192);
    CHECK(a.query_scale == b.query_scale);
    CHECK(a.query_scale[8191] * 8 == doctest::Approx(13.0 / 12).epsilon(1e-6));
}
