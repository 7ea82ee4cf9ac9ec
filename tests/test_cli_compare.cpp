// `extrapolab compare` and `extrapolab passkey` on stories260K: exit codes, columns, and that a
// bad spec or an impossible prompt is a user error (exit 2, one error line naming it).
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

namespace {

const std::string kModel = "--model '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                           cli_shared("models/stories260K/tok512.bin") + "'";

std::vector<std::string> lines_of(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("cli compare: csv columns and one row per scored position") {
    const CliRun r = run_cli("compare --cpu " + kModel + " --base none --method linear:s=2 --length 128 --windows 1 "
                             "--format csv");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 128);  // header + positions 1..127
    CHECK(lines[0] == "position,loss_base,loss_method,diff,kl");
    CHECK(lines[1].rfind("1,", 0) == 0);
}

TEST_CASE("cli compare: json means agree with the per-position rows - identical configs differ by zero") {
    const CliRun r = run_cli("compare --cpu " + kModel + " --base none --method linear:s=2 --length 128 --format json");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["kl_available"] == true);
    CHECK(j["windows"] == 1);
    REQUIRE(j["positions"].size() == 127);
    double sum = 0;
    int n = 0;
    for (const auto& p : j["positions"])
        if (!p["diff"].is_null()) { sum += p["diff"].get<double>(); ++n; }
    REQUIRE(n > 0);
    CHECK(j["mean_diff"].get<double>() == doctest::Approx(sum / n).epsilon(1e-4));
    CHECK(j["mean_kl"].get<double>() > 0);  // linear interpolation changes the distributions

    const auto same = nlohmann::json::parse(
        run_cli("compare --cpu " + kModel + " --base none --method none --length 128 --format json").out);
    CHECK(std::abs(same["mean_diff"].get<double>()) < 1e-9);
    CHECK(std::abs(same["mean_kl"].get<double>()) < 1e-9);
}

TEST_CASE("cli compare: default backend gives the loss columns and a table") {
    const CliRun r = run_cli("compare " + kModel + " --method ntk:a=2 --length 128 --windows 1");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.find("mean loss base:") != std::string::npos);
    CHECK(r.out.find("loss_base") != std::string::npos);
    CHECK(r.out.find("loss_method") != std::string::npos);
    // Either KL is shown or the output says why it is not.
    CHECK((r.out.find("mean KL") != std::string::npos || r.out.find("KL divergence not computed") != std::string::npos));
}

TEST_CASE("cli compare: a bad spec exits 2 naming it") {
    const CliRun r = run_cli("compare --cpu " + kModel + " --method notamethod --length 128");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("notamethod") != std::string::npos);
    const CliRun b = run_cli("compare --cpu " + kModel + " --base 'yarn:bogus=1' --method none --length 128");
    CHECK(b.code == 2);
    CHECK(b.err.find("yarn") != std::string::npos);
}

TEST_CASE("cli passkey: csv columns and one row per length x depth") {
    const CliRun r = run_cli("passkey --cpu " + kModel + " --lengths 192 --depths 0.5 --trials 1 --format csv");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 3);  // comment, header, one cell
    CHECK(lines[1] == "target_tokens,depth,trials,correct,accuracy");
    CHECK(lines[2].rfind("192,0.5,1,", 0) == 0);

    const CliRun t = run_cli("passkey --cpu " + kModel + " --lengths 192 --depths 0 --format table");
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.out.find("accuracy") != std::string::npos);
    CHECK(t.out.find("overall accuracy:") != std::string::npos);
}

TEST_CASE("cli passkey: bad spec, bad depth, or a too-short prompt exit 2") {
    const CliRun m = run_cli("passkey --cpu " + kModel + " --method notamethod --lengths 192 --depths 0");
    CHECK(m.code == 2);
    CHECK(m.err.find("notamethod") != std::string::npos);
    const CliRun d = run_cli("passkey --cpu " + kModel + " --lengths 192 --depths 1.5");
    CHECK(d.code == 2);
    CHECK(d.err.find("--depths") != std::string::npos);
    const CliRun s = run_cli("passkey --cpu " + kModel + " --lengths 128 --depths 0");  // task + question > 128
    CHECK(s.code == 2);
    CHECK(s.err.find("128") != std::string::npos);
}

TEST_CASE("cli compare: default backend and --cpu agree on the mean losses of the same windows") {
    const std::string args = " " + kModel + " --method linear:s=2 --length 128 --windows 2 --format json";
    const CliRun c = run_cli("compare --cpu" + args);
    const CliRun g = run_cli("compare" + args);
    REQUIRE_MESSAGE(c.code == 0, c.err);
    REQUIRE_MESSAGE(g.code == 0, g.err);
    const auto jc = nlohmann::json::parse(c.out), jg = nlohmann::json::parse(g.out);
    CHECK(jg["windows"] == 2);
    CHECK(jg["mean_loss_base"].get<double>() == doctest::Approx(jc["mean_loss_base"].get<double>()).epsilon(1e-3));
    CHECK(jg["mean_loss_method"].get<double>() == doctest::Approx(jc["mean_loss_method"].get<double>()).epsilon(1e-3));
}
