// `extrapolab table` on the bundled stories260K with the CPU reference (training length overridden
// to 64 and one window per cell: fast): one row per method, one cell per factor, each with its
// spec; the outputs name model, protocol and device; bad input leaves no file.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

namespace {

const nlohmann::json* row(const nlohmann::json& j, const std::string& method) {
    for (const auto& r : j["rows"])
        if (r["method"].get<std::string>() == method) return &r;
    return nullptr;
}

}  // namespace

TEST_CASE("cli table: json rows per method with one cell per factor and its spec") {
    CliRun r = run_cli("table --cpu --train-ctx 64 --windows 1 --factors 1,2 --format json");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["tool"].get<std::string>() == "extrapolab table");
    CHECK(j["protocol"]["name"].get<std::string>() == "all");
    CHECK(j["device"].get<std::string>() == "CPU reference");
    CHECK(j["model"]["path"].get<std::string>().find("stories260K") != std::string::npos);
    CHECK(j["lengths"] == nlohmann::json({64, 128}));
    const auto* none = row(j, "none");
    const auto* linear = row(j, "linear");
    REQUIRE(none);
    REQUIRE(linear);
    CHECK(!row(j, "alibi"));
    REQUIRE((*linear)["cells"].size() == 2);
    CHECK((*linear)["cells"][1]["spec"].get<std::string>() == "linear:s=2");
    CHECK((*linear)["cells"][1]["length"].get<int>() == 128);
    CHECK((*linear)["cells"][0]["tokens_scored"].get<int>() == 63);
    // linear:s=1 is the identity: the same perplexity as none at factor 1.
    CHECK((*linear)["cells"][0]["ppl"].get<double>() ==
          doctest::Approx((*none)["cells"][0]["ppl"].get<double>()).epsilon(1e-6));
    int rows_with_cells = 0;
    for (const auto& rw : j["rows"]) {
        if (rw.contains("skipped")) {
            CHECK(rw["cells"].empty());
            continue;
        }
        ++rows_with_cells;
        for (const auto& c : rw["cells"]) CHECK(c["ppl"].get<double>() > 1.0);
    }
    CHECK(rows_with_cells >= 20);
}

TEST_CASE("cli table: markdown names protocol, device and specs - bad factors fail cleanly") {
    const auto out = cli_temp_dir() / "table.md";
    CliRun md = run_cli("table --cpu --train-ctx 64 --windows 1 --factors 1,2 --format markdown --out '" +
                        out.string() + "'");
    REQUIRE_MESSAGE(md.code == 0, md.err);
    std::ifstream in(out);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find("- protocol: all") != std::string::npos);
    CHECK(text.find("- device: CPU reference") != std::string::npos);
    CHECK(text.find("| method | 1x (L=64) | 2x (L=128) |") != std::string::npos);
    CHECK(text.find("`yarn:s=2,orig=64`") != std::string::npos);
    CHECK(text.find("Skipped:") != std::string::npos);

    const auto bad_out = cli_temp_dir() / "bad_table.md";
    for (const char* bad : {"--factors 0.5", "--factors 1,x", "--windows -1", "--protocol bogus"}) {
        CliRun r = run_cli(std::string("table --cpu --train-ctx 64 ") + bad + " --out '" + bad_out.string() + "'");
        CHECK_MESSAGE(r.code == 2, bad);
        CHECK(r.err.find("extrapolab: error:") != std::string::npos);
        CHECK(!std::filesystem::exists(bad_out));
    }
    CliRun missing = run_cli("table --cpu --model /nonexistent/model.bin --factors 1");
    CHECK(missing.code == 2);
    CHECK(missing.err.find("/nonexistent/model.bin") != std::string::npos);
}
