// Sharded sweeps without a model: shard numbering, the shard store (whole files, resume), and
// merge's checks (every cell once, shards agree), plus the eval row's exact JSON round trip.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <unistd.h>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/metrics/eval_shard.hpp"
#include "core/metrics/sweep_shard.hpp"

namespace {

namespace fs = std::filesystem;

fs::path shard_temp(const char* name) {
    const fs::path d = fs::temp_directory_path() / ("xl_shard_" + std::to_string(getpid())) / name;
    fs::remove_all(d);
    return d;
}

xl::ShardCsv plain_csv() {
    return {"cell,value", [](const nlohmann::json& r) {
                return std::to_string(r["cell"].get<int>()) + "," + r["result"]["v"].dump();
            }};
}

const nlohmann::json kSweep = {{"model", {{"path", "m.bin"}}}, {"text", {{"path", "t.txt"}}}, {"windows", 1}};

void fill(const fs::path& dir, const std::string& shard, const nlohmann::json& sweep, int cells) {
    xl::ShardStore s(dir.string(), "eval", xl::parse_shard(shard), sweep, cells, plain_csv(), false);
    for (int c : s.pending()) s.add(c, {{"v", c * 10}});
}

}  // namespace

TEST_CASE("shard: i/n parsing and round-robin ownership") {
    const xl::ShardSpec s = xl::parse_shard("2/4");
    CHECK(s.index == 2);
    CHECK(s.count == 4);
    CHECK(s.name() == "2/4");
    CHECK(s.owns(2));
    CHECK(s.owns(6));
    CHECK_FALSE(s.owns(3));
    for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/b", "1/4x", ""})
        CHECK_THROWS_AS(xl::parse_shard(bad), xl::Error);
}

TEST_CASE("shard: every cell is owned by exactly one of n shards") {
    for (int n = 1; n <= 5; ++n)
        for (int c = 0; c < 17; ++c) {
            int owners = 0;
            for (int i = 0; i < n; ++i) owners += xl::ShardSpec{i, n}.owns(c);
            CHECK(owners == 1);
        }
}

TEST_CASE("shard: store writes whole files after every cell and resume skips stored cells") {
    const fs::path d = shard_temp("store");  // no ".tmp" may be left in it
    {
        xl::ShardStore s(d.string(), "eval", xl::parse_shard("1/2"), kSweep, 5, plain_csv(), false);
        CHECK(s.pending() == std::vector<int>{1, 3});
        CHECK(fs::exists(d / "eval-shard-1-of-2.jsonl"));  // written at once, empty
        s.add(1, {{"v", 10}});
        CHECK(xl::read_text_file((d / "eval-shard-1-of-2.csv").string()) == "cell,value\n1,10\n");
    }
    xl::ShardStore resumed(d.string(), "eval", xl::parse_shard("1/2"), kSweep, 5, plain_csv(), true);
    CHECK(resumed.pending() == std::vector<int>{3});
    resumed.add(3, {{"v", 30}});
    CHECK(xl::read_text_file((d / "eval-shard-1-of-2.csv").string()) == "cell,value\n1,10\n3,30\n");
    for (const auto& e : fs::directory_iterator(d)) CHECK(e.path().filename().string().find("tmp") == std::string::npos);
    // Resuming another sweep in the same folder is refused, naming the field.
    nlohmann::json other = kSweep;
    other["windows"] = 2;
    CHECK_THROWS_WITH_AS(xl::ShardStore(d.string(), "eval", xl::parse_shard("0/2"), other, 5, plain_csv(), true),
                         doctest::Contains("sweep.windows (2 vs 1)"), xl::Error);
}

TEST_CASE("shard: merge joins complete shards in cell order") {
    const fs::path d = shard_temp("complete");
    for (const char* s : {"0/3", "1/3", "2/3"}) fill(d, s, kSweep, 7);
    const xl::ShardSet set = xl::load_shard_dir(d.string());
    CHECK(set.kind == "eval");
    CHECK(set.files.size() == 3);
    REQUIRE(set.results.size() == 7);
    for (int c = 0; c < 7; ++c) CHECK(set.results[size_t(c)]["v"] == c * 10);
}

TEST_CASE("shard: merge names missing cells, duplicates and disagreeing shards") {
    const fs::path missing = shard_temp("missing");
    fill(missing, "0/3", kSweep, 7);
    fill(missing, "2/3", kSweep, 7);
    CHECK_THROWS_WITH_AS(xl::load_shard_dir(missing.string()),
                         doctest::Contains("missing 2 of 7 cells: 1, 4 (of shard 1/3"), xl::Error);
    const fs::path dup = shard_temp("dup");
    fill(dup, "0/1", kSweep, 3);
    fill(dup, "1/2", kSweep, 3);
    CHECK_THROWS_WITH_AS(xl::load_shard_dir(dup.string()), doctest::Contains("cell 1 is in 2 files"), xl::Error);
    const fs::path conflict = shard_temp("conflict");
    fill(conflict, "0/2", kSweep, 4);
    nlohmann::json other = kSweep;
    other["text"]["path"] = "other.txt";
    fill(conflict, "1/2", other, 4);
    CHECK_THROWS_WITH_AS(xl::load_shard_dir(conflict.string()),
                         doctest::Contains("differ in sweep.text.path (\"t.txt\" vs \"other.txt\")"), xl::Error);
    CHECK_THROWS_AS(xl::load_shard_dir(shard_temp("empty").string()), xl::Error);
    fs::remove_all(missing.parent_path());
}

TEST_CASE("shard: eval rows round-trip exactly, non-finite values included") {
    xl::EvalRow r;
    r.method = "yarn:s=2";
    r.resolved = "yarn:s=2,orig=512";
    r.convention = "hf";
    r.protocol = "all";
    r.length = 512;
    r.ppl = 1.0 / 3.0 + 7;
    r.ppl_stderr = std::numeric_limits<double>::infinity();
    r.mean_nll = 0.1;
    r.tokens_scored = 1022;
    r.windows = 2;
    r.position_loss = {0.5, std::nan("")};
    const xl::EvalRow back = xl::eval_row_from_json(nlohmann::json::parse(xl::eval_row_json(r, "dev").dump()));
    CHECK(back.ppl == r.ppl);
    CHECK(std::isinf(back.ppl_stderr));
    CHECK(back.mean_nll == r.mean_nll);
    CHECK(back.resolved == r.resolved);
    CHECK(back.convention == "hf");
    CHECK(back.tokens_scored == 1022);
    REQUIRE(back.position_loss.size() == 2);
    CHECK(std::isnan(back.position_loss[1]));
}
