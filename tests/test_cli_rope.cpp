// `extrapolab rope` reproduces the worked values of position-methods.md §18 (head dim 64, base 10^4).
#include <doctest/doctest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

TEST_CASE("cli rope: plain RoPE wavelengths for head dim 64 and base 10000") {
    CliRun r = run_cli("rope --head-dim 64 --base 10000 --method none --format json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["method"].get<std::string>().rfind("none", 0) == 0);
    CHECK(j["attention_factor"].get<double>() == doctest::Approx(1.0));
    auto& pairs = j["pairs"];
    REQUIRE(pairs.size() == 32);
    // Worked values quoted from the reference table (§18): pair, θ_j (7 digits), λ_j (4 decimals).
    struct Worked { int pair; double theta, lambda; };
    const Worked worked[] = {{0, 1.0, 6.2832},           {1, 0.7498942, 8.3788},        {7, 0.1333521, 47.1172},
                             {15, 0.01333521, 471.1724}, {16, 0.01, 628.3185},          {23, 0.001333521, 4711.7243},
                             {31, 1.333521e-4, 47117.2428}};
    for (const Worked& w : worked) {
        CHECK(pairs[w.pair]["wavelength"].get<double>() == doctest::Approx(w.lambda).epsilon(1e-5));
        CHECK(pairs[w.pair]["inv_freq"].get<double>() == doctest::Approx(w.theta).epsilon(1e-6));
    }
    CHECK(pairs[8]["inv_freq"].get<double>() == doctest::Approx(0.1).epsilon(1e-9));
    for (int p = 0; p < 32; ++p) CHECK(pairs[p]["ramp"].get<double>() == 0.0);
}

TEST_CASE("cli rope: linear interpolation divides every frequency and the table names the method") {
    CliRun r = run_cli("rope --head-dim 64 --base 10000 --method linear:s=4 --format json");
    REQUIRE(r.code == 0);
    auto j = nlohmann::json::parse(r.out);
    for (auto& p : j["pairs"])
        CHECK(p["inv_freq"].get<double>() == doctest::Approx(p["inv_freq_original"].get<double>() / 4).epsilon(1e-9));
    CliRun t = run_cli("rope --head-dim 8 --method yarn:s=4,orig=512");
    REQUIRE(t.code == 0);
    CHECK(t.out.find("method: yarn") != std::string::npos);
    CHECK(t.out.find("attention_factor") != std::string::npos);
}
