// Regression tests for hostile numbers and documents in method specs, presets and config.json:
// out-of-range double -> int conversions (UB before) and JSON nested past the stack.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "error_of.hpp"
#include "core/io/preset_io.hpp"
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method.hpp"
#include "test_posenc_helpers.hpp"

namespace {

using xl::test::error_of;
using xl::test::has;

}  // namespace

TEST_CASE("hostile input: window, rerope and selfextend sizes out of int range are BadArgument") {
    const xl::ModelConfig rope = xl::test::rope_config(16, 10000, 64);
    for (const char* spec : {"window:w=31e300", "window:w=-1e300", "sinks:start=4,recent=1e12", "lminfinite:local=3e9",
                             "rerope:w=31e300", "leakyrerope:w=1e20,k=2", "selfextend:G=2,W=31e300", "window:w=2.5"}) {
        CAPTURE(spec);
        const xl::Error e = error_of([&] { xl::make_plan(xl::parse_method_spec(spec), rope, 32); });
        CHECK(e.kind() == xl::ErrorKind::BadArgument);
        CHECK(has(e, "must be a whole number in ["));
    }
    // In range they still build.
    CHECK(xl::make_plan(xl::parse_method_spec("window:w=16"), rope, 32).window == 16);
    CHECK_NOTHROW(xl::make_plan(xl::parse_method_spec("selfextend:G=2,W=8"), rope, 32));
}

TEST_CASE("hostile input: config.json sizes out of int range are BadArgument naming the file") {
    for (const char* cfg : {R"({"max_position_embeddings": 1e300, "head_dim": 64})",
                            R"({"head_dim": 5e20})",
                            R"({"hidden_size": 1e308, "num_attention_heads": 1e-300})",
                            R"({"head_dim": 64, "rope_scaling": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1,
                                "high_freq_factor": 4, "original_max_position_embeddings": 1e300}})",
                            R"({"head_dim": 64, "max_position_embeddings": 4096,
                                "rope_scaling": {"type": "yarn", "factor": 4, "original_max_position_embeddings": 1e30}})"}) {
        CAPTURE(cfg);
        const xl::Error e = error_of([&] { xl::import_hf_rope_config_text(cfg, xl::HfGeneration::C, "config.json"); });
        CHECK(e.kind() == xl::ErrorKind::BadArgument);
        CHECK(e.subject() == "config.json");
        CHECK(has(e, "is not a plausible size"));
    }
}

TEST_CASE("hostile input: JSON nested 100000 deep is refused in config.json, presets and view state") {
    const std::string deep = "{\"rope_scaling\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    xl::Error e = error_of([&] { xl::import_hf_rope_config_text(deep, xl::HfGeneration::C, "config.json"); });
    CHECK(e.kind() == xl::ErrorKind::BadArgument);
    CHECK(has(e, "nested deeper than 64 levels"));
    e = error_of([&] { xl::session_from_json("{\"configs\": " + std::string(100000, '[') + "}", "deep.json"); });
    CHECK(has(e, "deep.json: JSON nested deeper than 64 levels"));
    e = error_of([&] { xl::view_state_from_json("{\"plots\": " + std::string(100000, '['), "view.json"); });
    CHECK(e.kind() == xl::ErrorKind::BadArgument);
    // Realistic nesting passes.
    CHECK_NOTHROW(xl::view_state_from_json(R"({"plots": {"perplexity": {"x0": 0, "x1": 1, "fit": true}}})", "v.json"));
}
