// `extrapolab positions`: writes the sampled-ids and coverage figures as well-formed SVG, PNG and
// CSV; bad arguments fail with one line and write nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/io/xml_check.hpp"
#include "test_cli_run.hpp"

namespace {
std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
}  // namespace

TEST_CASE("cli positions: randpe and pose write SVG, PNG and CSV") {
    for (const char* method : {"randpe", "pose"}) {
        const auto dir = cli_temp_dir() / (std::string("positions_") + method);
        CliRun r = run_cli(std::string("positions --method ") + method +
                           " --train 64 --target 512 --samples 4 --seed 1 --coverage-samples 32 --out '" +
                           dir.string() + "'");
        REQUIRE_MESSAGE(r.code == 0, r.err);
        for (const std::string stem : {std::string("training_positions_") + method, std::string("training_distance_coverage")}) {
            CAPTURE(stem);
            const std::string svg = slurp(dir / (stem + ".svg"));
            std::string err;
            CHECK_MESSAGE(xl::xml_well_formed(svg, &err), err);
            const std::string png = slurp(dir / (stem + ".png"));
            REQUIRE(png.size() > 8);
            CHECK(png.compare(1, 3, "PNG") == 0);
            const std::string csv = slurp(dir / (stem + ".csv"));
            CHECK(csv.find("target_length") != std::string::npos);
            CHECK(r.out.find(stem + ".svg") != std::string::npos);
        }
        CHECK(slurp(dir / "training_distance_coverage.csv").find("randpe") != std::string::npos);
    }
}

TEST_CASE("cli positions: bad arguments write nothing") {
    const auto dir = cli_temp_dir() / "positions_bad";
    for (const char* bad : {"--method foo", "--train 64 --target 32", "--samples 0", "--chunks 0"}) {
        CliRun r = run_cli(std::string("positions ") + bad + " --out '" + dir.string() + "'");
        CHECK_MESSAGE(r.code == 2, bad);
        CHECK(r.err.find("extrapolab: error:") != std::string::npos);
        CHECK(!std::filesystem::exists(dir));
    }
}
