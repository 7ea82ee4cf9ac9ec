// `extrapolab figure`: the headless paper-figure path writes SVG, PNG and CSV for a preset, and a
// missing preset is one clear error with exit code 2 and no output directory left behind.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "test_cli_run.hpp"

TEST_CASE("cli figure: rope_basics writes svg png and csv") {
    const auto out = cli_temp_dir() / "figures_rope_basics";
    CliRun r = run_cli("figure --preset '" + std::string(XL_SOURCE_DIR) + "/presets/rope_basics.json' --out '" +
                       out.string() + "'");
    REQUIRE(r.code == 0);
    int svg = 0, png = 0, csv = 0;
    for (const auto& e : std::filesystem::directory_iterator(out)) {
        const auto ext = e.path().extension().string();
        svg += ext == ".svg";
        png += ext == ".png";
        csv += ext == ".csv";
        CHECK(std::filesystem::file_size(e.path()) > 0);
        if (ext == ".svg") {
            std::ifstream f(e.path());
            std::stringstream s;
            s << f.rdbuf();
            CHECK(s.str().find("<svg") != std::string::npos);
            CHECK(s.str().rfind("</svg>") != std::string::npos);
        }
    }
    CHECK(svg > 0);
    CHECK(png == svg);
    CHECK(csv >= svg);
}

TEST_CASE("cli figure: a missing preset exits 2 and writes nothing") {
    const auto out = cli_temp_dir() / "figures_missing";
    CliRun r = run_cli("figure --preset /nonexistent/preset.json --out '" + out.string() + "'");
    CHECK(r.code == 2);
    CHECK(r.err.find("/nonexistent/preset.json") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
}
