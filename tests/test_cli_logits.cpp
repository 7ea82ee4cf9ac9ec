// `extrapolab logits` on stories260K with the CPU reference: the JSON has every layer plus the
// all-layer summary per method, its bucket counts add up to heads × n(n+1)/2 per layer, buckets
// from the training length on are marked beyond it, the CSV has one row per method × layer ×
// bucket, the table names the resolution; bad input is one error line with exit code 2.
#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

namespace {

const std::string kModel = "--model '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                           cli_shared("models/stories260K/tok512.bin") + "' --text '" +
                           cli_shared("data/tinystories/valid-first201.txt") + "'";

int count_lines(const std::string& s) {
    int n = 0;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) ++n;
    return n;
}

}  // namespace

TEST_CASE("cli logits: json, csv and table on stories260K agree with the pass") {
    const std::string args = "logits --cpu " + kModel + " --length 300 --train-ctx 128 --method none --method 'yarn:s=4,orig=128'";
    const CliRun j = run_cli(args + " --format json");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const nlohmann::json doc = nlohmann::json::parse(j.out);
    CHECK(doc["length"] == 300);
    CHECK(doc["train_length"] == 128);
    REQUIRE(doc["methods"].size() == 2);
    size_t rows = 0;
    for (const auto& m : doc["methods"]) {
        REQUIRE(m["layers"].size() == 6);  // 5 layers + all layers (−1)
        CHECK(m["layers"][5]["layer"] == -1);
        for (const auto& l : m["layers"]) {
            int64_t total = 0;
            for (const auto& b : l["buckets"]) {
                total += b["count"].get<int64_t>();
                CHECK(b["beyond_train"] == (b["first"].get<int64_t>() >= 128));
                const auto& q = b["q"];
                CHECK(q[0].get<double>() <= q[2].get<double>());
                CHECK(q[2].get<double>() <= q[4].get<double>());
                ++rows;
            }
            const int64_t layers = l["layer"] == -1 ? 5 : 1;
            CHECK(total == layers * 8 * 300 * 301 / 2);
            CHECK(l["spread_farthest"].get<double>() > 0);
        }
    }
    const CliRun c = run_cli(args + " --format csv");
    REQUIRE(c.code == 0);
    CHECK(size_t(count_lines(c.out)) == rows + 1);
    const CliRun t = run_cli(args);
    REQUIRE(t.code == 0);
    CHECK(t.out.find("within 0.25 of the exact quantile") != std::string::npos);
    CHECK(t.out.find("beyond") != std::string::npos);
}

TEST_CASE("cli logits: bad input is one error with exit code 2") {
    for (const std::string bad : {"--length 1", "--method 'yarn:s=banana'", "--length 100000"}) {
        const CliRun r = run_cli("logits --cpu " + kModel + " " + bad);
        CHECK_MESSAGE(r.code == 2, bad);
        CHECK_MESSAGE(r.out.empty(), bad);
        CHECK_MESSAGE(r.err.find("extrapolab: error: ") != std::string::npos, r.err);
    }
}
