// `extrapolab posvec` on stories260K with the CPU reference: the three formats agree in shape with
// what was asked (methods × layers × positions), the JSON numbers are consistent (explained
// shares in [0, 1] summing to at most 1, norms equal to the CSV's, the PCA fitted inside the
// training length), and bad input is one error line with exit code 2.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

namespace {

const std::string kModel = "--model '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                           cli_shared("models/stories260K/tok512.bin") + "' --text '" +
                           cli_shared("data/tinystories/valid-first201.txt") + "'";

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

void check_one_error(const std::string& args, const std::string& names) {
    const CliRun r = run_cli("posvec --cpu " + kModel + " " + args);
    CHECK_MESSAGE(r.code == 2, args);
    const auto lines = lines_of(r.err);
    std::string errors;
    int count = 0;
    for (const auto& l : lines)
        if (l.rfind("extrapolab: error: ", 0) == 0) { ++count; errors = l; }
    CHECK_MESSAGE(count == 1, r.err);
    CHECK_MESSAGE(errors.find(names) != std::string::npos, errors);
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("cli posvec: table, json and csv of two methods at 2x the training length") {
    const std::string args = "posvec --cpu " + kModel + " --method none --method 'yarn:s=2' --length 1024 --windows 2 ";
    const CliRun t = run_cli(args);
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.out.find("method: none") != std::string::npos);
    CHECK(t.out.find("method: yarn:s=2") != std::string::npos);
    CHECK(t.out.find("fitted on positions 1..511 (training length 512") != std::string::npos);

    const CliRun j = run_cli(args + "--format json");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["length"] == 1024);
    CHECK(doc["windows"] == 2);
    CHECK(doc["fitted_positions"] == 512);
    REQUIRE(doc["methods"].size() == 2);
    for (const auto& m : doc["methods"]) {
        REQUIRE(m["layers"].size() == 5);
        for (const auto& l : m["layers"]) {
            REQUIRE(l["norm"].size() == 1024);
            REQUIRE(l["pc"].size() == 3);
            double sum = 0, previous = 1;
            for (const auto& e : l["explained"]) {
                CHECK(e.get<double>() > 0);
                CHECK(e.get<double>() <= previous);  // components by decreasing variance
                previous = e.get<double>();
                sum += e.get<double>();
            }
            CHECK(sum <= 1 + 1e-9);
            const double noise = l["noise_share"].get<double>();  // two windows: content noise is large
            CHECK(noise > 0);
            CHECK(noise < 1.5);
            const double share = l["beyond_in_plane"].get<double>();
            CHECK(share >= 0);
            CHECK(share <= 1 + 1e-9);
        }
    }

    const CliRun c = run_cli(args + "--format csv");
    REQUIRE_MESSAGE(c.code == 0, c.err);
    const auto rows = lines_of(c.out);
    REQUIRE(rows.size() == 1 + 2 * 5 * 1024);
    CHECK(rows[0] == "method,layer,position,norm,pc1,pc2,pc3");
    // Row of (none, layer 0, position 7) carries the JSON's norm.
    const std::string row = rows[1 + 7];
    CHECK(row.rfind("\"none\",0,7,", 0) == 0);
    const double norm = std::stod(row.substr(std::string("\"none\",0,7,").size()));
    CHECK(norm == doctest::Approx(doc["methods"][0]["layers"][0]["norm"][7].get<double>()).epsilon(1e-5));
}

TEST_CASE("cli posvec: at 1x nothing lies beyond the training length - layers can be chosen") {
    const CliRun j = run_cli("posvec --cpu " + kModel + " --length 256 --windows 2 --layers 3,0 --components 2 --format json");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const auto doc = nlohmann::json::parse(j.out);
    CHECK(doc["fitted_positions"] == 256);
    const auto& layers = doc["methods"][0]["layers"];
    REQUIRE(layers.size() == 2);
    CHECK(layers[0]["layer"] == 0);
    CHECK(layers[1]["layer"] == 3);
    CHECK(layers[0]["beyond_in_plane"].is_null());
    CHECK(layers[0]["explained"].size() == 2);
}

TEST_CASE("cli posvec: bad input is one error line and exit code 2") {
    check_one_error("--windows 0", "--windows");
    check_one_error("--length 1", "--length");
    check_one_error("--layers 5", "--layers");
    check_one_error("--layers x", "--layers");
    check_one_error("--layers 1,,2", "--layers");
    check_one_error("--layers -1", "--layers");
    check_one_error("--components 9", "--components");
    check_one_error("--method 'yarn:s=-1'", "yarn");
    check_one_error("--length 100000", "fewer than one window");
    check_one_error("--format xml", "--format");
}
