// The RoPE calculator: worked values of position-methods.md §18 (critical dimension, base for a
// target length, YaRN temperature) and a round trip: every family's HF keys, imported back
// through the config importer, give the same frequencies as the family's own method spec.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_calculator.hpp"

namespace {

const xl::RopeCalcEntry& family(const xl::RopeCalculation& c, const std::string& name) {
    for (const auto& e : c.entries)
        if (e.family == name) return e;
    FAIL("no family " << name);
    return c.entries.front();
}

xl::RopeCalculation llama2(int target) {
    xl::RopeCalcInput in;
    in.target_ctx = target;
    in.head_dim = 128;
    in.base = 10000;
    in.train_ctx = 4096;
    return xl::rope_calculator(in);
}

}  // namespace

TEST_CASE("evals rope calculator: Llama-2 to 32k, worked values of §6 and §18") {
    const auto c = llama2(32768);
    CHECK(c.scale == 8);
    REQUIRE(c.entries.size() == 6);
    const auto& y = family(c, "yarn");
    CHECK(y.derived["attention_factor"].get<double>() == doctest::Approx(1.2079442).epsilon(1e-7));
    CHECK(y.derived["corr_low"].get<double>() == 20);
    CHECK(y.derived["corr_high"].get<double>() == 46);
    CHECK(xl::llamacpp_command_line(y).find("--rope-scaling yarn --rope-scale 8 --yarn-orig-ctx 4096") == 0);
    CHECK(y.gguf["llama.rope.scaling.original_context_length"].get<int>() == 4096);
    const auto& abf = family(c, "abf");
    CHECK(abf.derived["d_extra"].get<int>() == 92);
    CHECK(abf.derived["base"].get<double>() == doctest::Approx(148544).epsilon(1e-5));  // §18: 32k → 148 544
    CHECK(llama2(16384).entries.back().derived["base"].get<double>() == doctest::Approx(56628).epsilon(1e-5));
    CHECK(llama2(131072).entries.back().derived["base"].get<double>() == doctest::Approx(1.02e6).epsilon(1e-2));
    // Below T_extra = 4711.7 the base needs no change.
    CHECK(llama2(4608).entries.back().derived["base"].get<double>() == 10000);
    const auto& ntk = family(c, "ntk");
    CHECK(ntk.derived["base"].get<double>() == doctest::Approx(10000 * std::pow(8.0, 128.0 / 126)).epsilon(1e-12));
    CHECK(family(c, "llama3").gguf["rope_freqs.weight"].size() == 64);
    CHECK(family(c, "dynntk").llamacpp.empty());
    CHECK(family(c, "pi").llamacpp[3] == "8");
}

TEST_CASE("evals rope calculator: HF keys round-trip through the importer to the same frequencies") {
    xl::RopeCalcInput in;
    in.target_ctx = 2048;
    in.head_dim = 64;
    in.base = 10000;
    in.train_ctx = 512;
    const auto c = xl::rope_calculator(in);
    for (const auto& e : c.entries) {
        CAPTURE(e.family);
        const auto spec = xl::parse_method_spec(e.method_spec);  // every spec is valid
        nlohmann::json cfg = {{"head_dim", 64}, {"rope_theta", 10000.0}, {"max_position_embeddings", 2048}};
        for (auto it = e.hf.begin(); it != e.hf.end(); ++it) cfg[it.key()] = nlohmann::json::parse(it.value().dump());
        const auto imported = xl::import_hf_rope_config(cfg, xl::HfGeneration::C, e.family);
        const auto a = xl::rope_table(spec, 64, 10000, 512, 2048);
        const auto b = xl::rope_table(xl::parse_method_spec(imported.spec), 64, 10000, 512, 2048);
        REQUIRE(a.inv_freq.size() == b.inv_freq.size());
        for (size_t j = 0; j < a.inv_freq.size(); ++j)
            CHECK(b.inv_freq[j] == doctest::Approx(a.inv_freq[j]).epsilon(1e-9));
        CHECK(b.attention_factor == doctest::Approx(a.attention_factor).epsilon(1e-9));
    }
}

TEST_CASE("evals rope calculator: JSON dump and input errors") {
    const auto j = xl::rope_calculation_json(llama2(8192));
    REQUIRE(j["families"].size() == 6);
    CHECK(j["families"][0]["family"] == "pi");
    CHECK(j["input"]["rotary_dim"] == 128);
    CHECK(j["families"][3]["hf"]["rope_scaling"]["rope_type"] == "yarn");
    xl::RopeCalcInput bad;
    bad.target_ctx = 1024;
    bad.head_dim = 64;
    bad.train_ctx = 2048;
    CHECK_THROWS_AS(xl::rope_calculator(bad), xl::Error);
    bad.target_ctx = 4096;
    bad.base = 1;
    CHECK_THROWS_AS(xl::rope_calculator(bad), xl::Error);
    bad.base = 10000;
    bad.rotary_dim = 65;
    CHECK_THROWS_AS(xl::rope_calculator(bad), xl::Error);
    xl::ModelConfig cfg;
    cfg.head_dim = 8;
    cfg.rope_dim = 8;
    cfg.rope_base = 10000;
    cfg.train_context_length = 512;
    const auto from_model = xl::rope_calculator(xl::rope_calc_input(cfg, 2048));
    CHECK(from_model.scale == 4);
    CHECK(from_model.rotary_dim == 8);
}
