// `extrapolab evict` on stories260K: with --cpu the JSON cells are the CPU simulator's
// perplexities (run here in-process, within 1e-9 relative), the full-context column is the
// whole-sequence CPU pass (within 1e-5 relative), CSV and table have one entry per cell, the
// figures are written; by default the Vulkan path gives the same cells (within 1e-5 relative, the
// tolerance of tests/test_gpu_eviction.cpp) and names its device; bad input is one error line
// with exit code 2 (a budget beyond the device's memory too).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
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
    const std::string args = "evict " + kModel + " --tokens 160 --chunk 16 --budgets 24,48 --threads 2 --cpu "
                             "--method none --method 'selfextend:G=4,W=16' --policies streaming,h2o ";
    const CliRun j = run_cli(args + "--format json --figures '" + dir.string() + "' --map h2o,original,24");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const auto doc = nlohmann::json::parse(j.out);
    REQUIRE(doc["cells"].size() == 2 * 2 * 2 * 2);
    CHECK(doc["device"].get<std::string>() == "CPU reference (2 threads)");

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

TEST_CASE("cli evict: the Vulkan path gives the CPU reference's cells and names its device") {
    const std::string args = "evict " + kModel + " --tokens 160 --chunk 16 --budgets 24,48 --threads 2 "
                             "--method 'yarn:s=4,orig=32' --policies window,snapkv --format json";
    const CliRun g = run_cli(args), c = run_cli(args + " --cpu");
    REQUIRE_MESSAGE(g.code == 0, g.err);
    REQUIRE_MESSAGE(c.code == 0, c.err);
    const auto gd = nlohmann::json::parse(g.out), cd = nlohmann::json::parse(c.out);
    CHECK(gd["device"].get<std::string>().find("CPU") == std::string::npos);
    CHECK(g.err.find("device: " + gd["device"].get<std::string>()) != std::string::npos);
    REQUIRE(gd["cells"].size() == 2 * 2 * 2);
    REQUIRE(cd["cells"].size() == gd["cells"].size());
    for (size_t i = 0; i < gd["cells"].size(); ++i) {
        const auto &a = gd["cells"][i], &b = cd["cells"][i];
        CHECK(a["policy"] == b["policy"]);
        CHECK(a["evicting_steps"] == b["evicting_steps"]);
        CHECK(a["perplexity"].get<double>() == doctest::Approx(b["perplexity"].get<double>()).epsilon(1e-5));
    }
    CHECK(gd["methods"][0]["full_context_perplexity"].get<double>() ==
          doctest::Approx(cd["methods"][0]["full_context_perplexity"].get<double>()).epsilon(1e-5));
}

TEST_CASE("cli evict: bad input is one error with exit code 2") {
    check_one_error("--tokens 5000 --cpu", "the CPU reference (--cpu) is capped at 4096 tokens");
    check_one_error("--tokens 100000", "fewer than --tokens 100000");
    check_one_error("--policies lru", "unknown eviction policy 'lru'");
    check_one_error("--positions rotated", "unknown position bookkeeping");
    check_one_error("--budgets 0", "--budgets");
    check_one_error("--policies streaming --budgets 4 --sinks 4", "sinks < budget");
    check_one_error("--chunk 0", "chunk size");
    check_one_error("--method bogus", "bogus");
    // A device of 160 MiB (core/gpu/fault_injection.hpp; about 26 MiB beside the weights, a pass's
    // buffers and 128 MiB of headroom) cannot hold 32768 cache entries per layer (about 60 MiB):
    // refused before any work.
    setenv("XL_TEST_DEVICE_MEMORY_MB", "160", 1);
    check_one_error("--tokens 32768 --budgets 32768 --chunk 1024 --policies window", "lower the budget or the chunk");
    unsetenv("XL_TEST_DEVICE_MEMORY_MB");
}
