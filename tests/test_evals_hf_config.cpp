// Hugging Face config.json import (v4 rope_scaling and v5 rope_parameters) into method specs,
// checked through the frequencies the resulting specs produce against position-methods.md's
// worked values (§6.1 correction ranges, §6.2 HF-A/B/C factor rules, §8, §9).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method.hpp"

namespace {

using json = nlohmann::json;

xl::RopeTable table_of(const xl::HfRopeImport& r, double model_base, int train_ctx, int seq_len = 0) {
    return xl::rope_table(xl::parse_method_spec(r.spec), r.rotary_dim, model_base, train_ctx, seq_len);
}

json llama2_yarn_128k() {  // §19 row 5 vector: max_pos 131072, orig 4096, factor 16
    return json{{"hidden_size", 4096}, {"num_attention_heads", 32}, {"rope_theta", 10000.0},
                {"max_position_embeddings", 131072},
                {"rope_scaling", {{"type", "yarn"}, {"factor", 16.0}, {"original_max_position_embeddings", 4096}}}};
}

}  // namespace

TEST_CASE("evals hf config: Llama-3.1 llama3 scaling gives the §9 divisors on base 5e5") {
    const json cfg = {{"hidden_size", 4096}, {"num_attention_heads", 32}, {"rope_theta", 500000.0},
                      {"max_position_embeddings", 131072},
                      {"rope_scaling", {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                                        {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}}}};
    const auto r = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "config.json");
    CHECK(r.rope_type == "llama3");
    CHECK(r.head_dim == 128);
    CHECK(r.rotary_dim == 128);
    CHECK(r.warnings.empty());
    const auto t = table_of(r, 10000, 8192);
    REQUIRE(t.inv_freq.size() == 64);
    // Divisor = θ(5e5)/θ' (the abf component makes the base 5e5 whatever the model's base is).
    auto divisor = [&](int j) { return std::pow(500000.0, -2.0 * j / 128) / t.inv_freq[size_t(j)]; };
    CHECK(divisor(0) == doctest::Approx(1.0).epsilon(1e-9));
    CHECK(divisor(28) == doctest::Approx(1.0).epsilon(1e-9));
    CHECK(divisor(29) == doctest::Approx(1.2075).epsilon(1e-4));
    CHECK(divisor(34) == doctest::Approx(5.2573).epsilon(1e-4));
    CHECK(divisor(35) == doctest::Approx(8.0).epsilon(1e-9));
}

TEST_CASE("evals hf config: YaRN factor and correction context by HF generation (§6.2, §19 rows 4-5)") {
    const json cfg = llama2_yarn_128k();
    const auto c = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "cfg");
    const auto a = xl::import_hf_rope_config(cfg, xl::HfGeneration::A, "cfg");
    const auto b = xl::import_hf_rope_config(cfg, xl::HfGeneration::B, "cfg");
    CHECK(c.factor == 16);
    CHECK(a.factor == 16);
    CHECK(b.factor == 32);  // max_pos / orig overrides the explicit factor
    CHECK(c.original_context == 4096);
    CHECK(a.original_context == 131072);
    const auto tc = table_of(c, 10000, 4096), ta = table_of(a, 10000, 4096), tb = table_of(b, 10000, 4096);
    CHECK(tc.ramp_low == 20);
    CHECK(tc.ramp_high == 46);
    CHECK(ta.ramp_low == 45);  // HF-A: the 128k config's range 45/70
    CHECK(ta.ramp_high == 70);
    // HF-B divides the lowest frequencies by 32, HF-C by 16.
    CHECK(tc.inv_freq_original[63] / tc.inv_freq[63] == doctest::Approx(16).epsilon(1e-9));
    CHECK(tb.inv_freq_original[63] / tb.inv_freq[63] == doctest::Approx(32).epsilon(1e-9));
    CHECK(tc.attention_factor == doctest::Approx(0.1 * std::log(16.0) + 1).epsilon(1e-9));
    bool noted = false;
    for (const auto& n : b.notes) noted |= n.find("overrides factor 16") != std::string::npos;
    CHECK(noted);
}

TEST_CASE("evals hf config: HF-B illustration max_pos 40960, orig 32768, factor 4 -> s = 1.25") {
    json cfg = llama2_yarn_128k();
    cfg["max_position_embeddings"] = 40960;
    cfg["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768}};
    CHECK(xl::import_hf_rope_config(cfg, xl::HfGeneration::B, "cfg").factor == doctest::Approx(1.25));
    CHECK(xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "cfg").factor == 4);
    cfg["rope_scaling"].erase("factor");  // HF-C derives it only when absent
    CHECK(xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "cfg").factor == doctest::Approx(1.25));
}

TEST_CASE("evals hf config: v5 rope_parameters (gpt-oss YaRN, truncate=false) forces HF-C") {
    const json cfg = {{"head_dim", 64}, {"hidden_size", 2880}, {"num_attention_heads", 64},
                      {"max_position_embeddings", 131072},
                      {"rope_parameters", {{"rope_type", "yarn"}, {"rope_theta", 150000.0}, {"factor", 32.0},
                                           {"original_max_position_embeddings", 4096}, {"beta_fast", 32.0},
                                           {"beta_slow", 1.0}, {"truncate", false}}}};
    const auto r = xl::import_hf_rope_config(cfg, xl::HfGeneration::A, "gpt-oss/config.json");
    CHECK(r.generation == xl::HfGeneration::C);
    CHECK(r.layout == "rope_parameters (v5)");
    CHECK(r.rope_theta == 150000);
    CHECK(r.rotary_dim == 64);
    const auto t = table_of(r, 10000, 4096);
    CHECK(t.ramp_low == doctest::Approx(8.092779115512402).epsilon(1e-9));  // §6.1 gpt-oss vector
    CHECK(t.ramp_high == doctest::Approx(17.39802450158856).epsilon(1e-9));
}

TEST_CASE("evals hf config: missing rope_theta warns - no scaling is the plain model") {
    const json cfg = {{"hidden_size", 64}, {"num_attention_heads", 8}, {"max_position_embeddings", 512},
                      {"rope_scaling", nullptr}};
    const auto r = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "cfg");
    CHECK(r.spec == "none");
    CHECK(r.rope_type == "default");
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("rope_theta") != std::string::npos);
    json with_theta = cfg;
    with_theta["rope_theta"] = 10000.0;
    const auto r2 = xl::import_hf_rope_config(with_theta, xl::HfGeneration::C, "cfg");
    CHECK(r2.warnings.empty());
    CHECK(xl::parse_method_spec(r2.spec).name == "abf");
}

TEST_CASE("evals hf config: linear, dynamic, DeepSeek YaRN, partial rotary") {
    json cfg = {{"hidden_size", 2560}, {"num_attention_heads", 32}, {"rope_theta", 10000.0},
                {"partial_rotary_factor", 0.4}, {"max_position_embeddings", 2048},
                {"rope_scaling", {{"type", "linear"}, {"factor", 4.0}}}};
    auto r = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "phi");
    CHECK(r.rotary_dim == 32);  // 80 × 0.4
    CHECK(r.spec == "abf:base=10000+linear:s=4");
    cfg["rope_scaling"] = {{"rope_type", "dynamic"}, {"factor", 2.0}};
    r = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "phi");
    const auto spec = xl::parse_method_spec(r.spec);
    REQUIRE(spec.extra.size() == 1);
    CHECK(spec.extra[0].name == "dynntk");
    CHECK(spec.extra[0].get("orig", 0) == 2048);  // HF's L0 = max_position_embeddings (§4)

    const json ds = {{"model_type", "deepseek_v3"}, {"hidden_size", 7168}, {"num_attention_heads", 128},
                     {"head_dim", 64}, {"rope_theta", 10000.0}, {"max_position_embeddings", 163840},
                     {"rope_scaling", {{"type", "yarn"}, {"factor", 40.0}, {"original_max_position_embeddings", 4096},
                                       {"mscale", 1.0}, {"mscale_all_dim", 1.0}, {"beta_fast", 32}, {"beta_slow", 1}}}};
    const auto d = xl::parse_method_spec(xl::import_hf_rope_config(ds, xl::HfGeneration::C, "ds").spec);
    REQUIRE(d.extra.size() == 1);
    CHECK(d.extra[0].name == "yarn_deepseek");
    CHECK(d.extra[0].get("s", 0) == 40);
}

TEST_CASE("evals hf config: LongRoPE lists, Phi-3 top-level original context, su factor") {
    json cfg = {{"hidden_size", 64}, {"num_attention_heads", 4}, {"rope_theta", 10000.0},
                {"max_position_embeddings", 131072}, {"original_max_position_embeddings", 4096}};
    json lf = json::array(), sf = json::array();
    for (int j = 0; j < 8; ++j) {
        lf.push_back(1.0 + j);
        sf.push_back(1.0 + 0.1 * j);
    }
    cfg["rope_scaling"] = {{"type", "su"}, {"long_factor", lf}, {"short_factor", sf}};
    const auto r = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "phi3");
    CHECK(r.rope_type == "longrope");
    CHECK(r.factor == 32);
    const auto t_long = table_of(r, 10000, 4096, 8192);
    CHECK(t_long.attention_factor == doctest::Approx(1.1902381).epsilon(1e-6));  // §8 worked value
    CHECK(t_long.inv_freq_original[7] / t_long.inv_freq[7] == doctest::Approx(8.0).epsilon(1e-9));
    const auto t_short = table_of(r, 10000, 4096, 1024);
    CHECK(t_short.inv_freq_original[7] / t_short.inv_freq[7] == doctest::Approx(1.7).epsilon(1e-9));
    cfg["rope_scaling"]["long_factor"].push_back(2.0);
    CHECK_THROWS_AS(xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "phi3"), xl::Error);
}

TEST_CASE("evals hf config: malformed input is a BadArgument naming the file") {
    json cfg = llama2_yarn_128k();
    cfg["rope_scaling"]["type"] = "wobbly";
    try {
        xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "bad/config.json");
        FAIL("expected an error");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::BadArgument);
        CHECK(std::string(e.what()).find("bad/config.json") != std::string::npos);
        CHECK(std::string(e.what()).find("wobbly") != std::string::npos);
    }
    cfg["rope_scaling"]["type"] = "linear";
    cfg["rope_scaling"]["factor"] = "four";
    CHECK_THROWS_AS(xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "c"), xl::Error);
    cfg["rope_scaling"]["factor"] = -2.0;
    CHECK_THROWS_AS(xl::import_hf_rope_config(cfg, xl::HfGeneration::C, "c"), xl::Error);
    CHECK_THROWS_AS(xl::import_hf_rope_config_text("{not json", xl::HfGeneration::C, "c"), xl::Error);
    CHECK_THROWS_AS(xl::import_hf_rope_config_file("/nonexistent/config.json"), xl::Error);
    CHECK_THROWS_AS(xl::parse_hf_generation("HF-D"), xl::Error);
    CHECK(xl::parse_hf_generation("hf-b") == xl::HfGeneration::B);
}
