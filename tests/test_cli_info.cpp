// `extrapolab info` on both stories260K files: same shapes; only the GGUF's context length 2048
// (the converter default, the model was trained at 512) is warned about.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

TEST_CASE("cli info: stories260K bin and gguf with the converter-default warning on the GGUF only") {
    CliRun bin = run_cli("info '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                         cli_shared("models/stories260K/tok512.bin") + "'");
    CliRun gguf = run_cli("info '" + cli_shared("models/stories260K/stories260K.gguf") + "'");
    REQUIRE(bin.code == 0);
    REQUIRE(gguf.code == 0);
    for (const CliRun* r : {&bin, &gguf}) {
        CHECK(r->out.find("dim 64") != std::string::npos);
        CHECK(r->out.find("layers 5") != std::string::npos);
        CHECK(r->out.find("heads 8 (kv 4)") != std::string::npos);
    }
    CHECK(bin.out.find("warning:") == std::string::npos);
    const size_t w = gguf.out.find("warning:");
    REQUIRE(w != std::string::npos);
    CHECK(gguf.out.find("2048", w) != std::string::npos);
    CHECK(gguf.out.find("converter default", w) != std::string::npos);
}

TEST_CASE("cli info: json carries shapes and position settings and warnings") {
    CliRun r = run_cli("info '" + cli_shared("models/stories260K/stories260K.gguf") + "' --format json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["shapes"]["vocab_size"].get<int>() == 512);
    CHECK(j["position"]["file_context_length"].get<int>() == 2048);
    CHECK(j["position"]["rope_base"].get<double>() == doctest::Approx(10000));
    CHECK(j["warnings"].size() >= 1);
}
