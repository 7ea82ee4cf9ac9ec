// `extrapolab nbce` on the bundled stories260K with the CPU reference (training length overridden
// to 64): NBCE, the plain model over the whole context, the truncated context and no context,
// scored on the same continuation tokens; outputs name protocol, model and device.
#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

TEST_CASE("cli nbce: json compares NBCE with the plain model at the same length") {
    CliRun r = run_cli("nbce --cpu --train-ctx 64 --context 150 --continuation 16 --samples 2 --format json");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["tool"].get<std::string>() == "extrapolab nbce");
    CHECK(j["protocol"]["name"].get<std::string>() == "nbce");
    CHECK(j["protocol"]["description"].get<std::string>().find("4 chunks") != std::string::npos);
    CHECK(j["device"].get<std::string>() == "CPU reference");
    CHECK(j["model"]["path"].get<std::string>().find("stories260K") != std::string::npos);
    const auto& rows = j["results"];
    REQUIRE(rows.size() == 4);
    CHECK(rows[0]["scoring"].get<std::string>().rfind("nbce", 0) == 0);
    CHECK(rows[1]["scoring"].get<std::string>().find("L=167 (none)") != std::string::npos);
    for (const auto& row : rows) {
        CHECK(row["tokens_scored"].get<int>() == 32);
        CHECK(std::isfinite(row["mean_nll"].get<double>()));
    }
    // Any context helps over none on story text.
    CHECK(rows[2]["mean_nll"].get<double>() < rows[3]["mean_nll"].get<double>());
}

TEST_CASE("cli nbce: table names the protocol - bad arguments fail with one line") {
    CliRun t = run_cli("nbce --cpu --train-ctx 64 --context 100 --continuation 8 --samples 1 --method linear:s=2");
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.out.find("protocol: nbce") != std::string::npos);
    CHECK(t.out.find("device: CPU reference") != std::string::npos);
    CHECK(t.out.find("linear:s=2") != std::string::npos);
    for (const char* bad : {"--continuation 1", "--continuation 80", "--beta -1", "--pooling max", "--method bogus"}) {
        CliRun r = run_cli(std::string("nbce --cpu --train-ctx 64 --samples 1 ") + bad);
        CHECK_MESSAGE(r.code == 2, bad);
        CHECK(r.err.find("extrapolab: error:") != std::string::npos);
    }
}
