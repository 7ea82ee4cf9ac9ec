// `extrapolab evict` on stories260K: the JSON cells are the simulator's perplexities (run here
// in-process, within 1e-9 relative), the full-context column is the whole-sequence CPU pass
// (within 1e-5 relative), CSV and table have one entry per cell, the figures are written, and bad
// input is one error line with exit code 2.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/kv_eviction.hpp"
#include "test_cli_run.hpp"

namespace {

const std::string kBin = cli_shared("models/stories260K/stories260K.bin"), kTok = cli_shared("models/stories260K/tok512.bin"),
                  kText = cli_shared("data/tinystories/valid-first201.txt");
const std::string kModel = "--model '" + kBin + "' --tokenizer '" + kTok + "' --text '" + kText + "'";

int count_lines(const std::string& s) {
    std::istringstream in(s);
    int n = 0;
    for (std::string l; std::getline(in, l);) ++n;
    return n;
}

void check_one_error(const std::string& args, const std::string& names) {
    const CliRun r = run_cli("evict " + kModel + " " + args);
    CHECK_MESSAGE(r.code == 2, args);
    int errors = 0;
    std::istringstream in(r.err);
    std::string last;
    for (std::string l; std::getline(in, l);)
        if (l.rfind("extrapolab: error: ", 0) == 0) ++errors, last = l;
    CHECK_MESSAGE(errors == 1, r.err);
    CHECK_MESSAGE(last.find(names) != std::string::npos, last);
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("cli evict: json cells are the simulator's, full context is the whole pass, csv and figures") {
    const auto dir = cli_temp_dir() / "evict_figures";
    const std::string args = "evict " + kModel + " --tokens 160 --chunk 16 --budgets 24,48 --threads 2 "
                             "--method none --method 'selfextend:G=4,W=16' --policies streaming,h2o ";
    const CliRun j = run_cli(args + "--format json --figures '" + dir.string() + "' --map h2o,original,24");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const auto doc = nlohmann::json::parse(j.out);
    REQUIRE(doc["cells"].size() == 2 * 2 * 2 * 2);

    const xl::Model m = xl::load_model(kBin, kTok);
    const auto stream = xl::load_token_stream(kText, *m.tokenizer);
    const std::vector<int> tokens(stream.tokens.begin(), stream.tokens.begin() + 160);
    xl::EvictionSimulator sim(m);
    xl::CpuForward full(m);
    for (const auto& mj : doc["methods"]) {
        const auto spec = xl::parse_method_spec(mj["method"].get<std::string>());
        xl::ForwardRequest req;
        req.tokens = tokens;
        req.plan = xl::make_plan(spec, m.config, 160);
        const auto nll = full.run(req).nll;
        const double ppl = std::exp(std::accumulate(nll.begin(), nll.end(), 0.0) / double(nll.size()));
        CHECK(mj["full_context_perplexity"].get<double>() == doctest::Approx(ppl).epsilon(1e-5));
    }
    for (const auto& c : doc["cells"]) {
        if (c["budget"] != 24) continue;  // one budget is enough for the in-process check
        xl::EvictionRun r;
        r.policy.policy = xl::parse_policy(c["policy"]);
        r.policy.budget = 24;
        r.positions = xl::parse_bookkeeping(c["positions"]);
        r.chunk = 16;
        const auto spec = xl::parse_method_spec(c["method"].get<std::string>());
        const auto res = sim.run(tokens, [&](int n) { return xl::make_plan(spec, m.config, n); }, r);
        CHECK(c["perplexity"].get<double>() == doctest::Approx(res.perplexity).epsilon(1e-9));
        CHECK(c["evicting_steps"].get<int>() == res.evictions);
        CHECK(res.evictions > 0);
    }
    for (const char* f : {"evict_ppl_vs_budget.svg", "evict_ppl_vs_budget_1.png", "evict_ppl_vs_budget.csv",
                          "evict_kept_map.svg", "evict_kept_map.png", "evict_kept_map.csv"})
        CHECK_MESSAGE(std::filesystem::file_size(dir / f) > 200, f);

    const CliRun csv = run_cli(args + "--format csv");
    REQUIRE(csv.code == 0);
    CHECK(count_lines(csv.out) == 1 + 16);
    const CliRun table = run_cli(args);
    REQUIRE(table.code == 0);
    CHECK(table.out.find("method: selfextend:G=4,W=16") != std::string::npos);
    CHECK(table.out.find("h2o        original") != std::string::npos);
}

TEST_CASE("cli evict: bad input is one error with exit code 2") {
    check_one_error("--tokens 5000", "capped at 4096 tokens");
    check_one_error("--policies lru", "unknown eviction policy 'lru'");
    check_one_error("--positions rotated", "unknown position bookkeeping");
    check_one_error("--budgets 0", "--budgets");
    check_one_error("--policies streaming --budgets 4 --sinks 4", "sinks < budget");
    check_one_error("--chunk 0", "chunk size");
    check_one_error("--method bogus", "bogus");
    check_one_error("--tokens 100000", "capped");
}
