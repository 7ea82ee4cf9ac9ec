// `extrapolab needle` on stories260K with the CPU reference: the three formats hold what was asked
// (methods × tasks × lengths × depths, layers × heads per cell), the numbers agree across formats
// and with each other (retrieval = copies / copyable, accuracy = the share of correct cells, the
// grid score = Σ copies / Σ copyable), and bad input is one error line with exit code 2.
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

void check_one_error(const std::string& args, const std::string& names) {
    const CliRun r = run_cli("needle --cpu " + kModel + " " + args);
    CHECK_MESSAGE(r.code == 2, args);
    std::string errors;
    int count = 0;
    for (const auto& l : lines_of(r.err))
        if (l.rfind("extrapolab: error: ", 0) == 0) { ++count; errors = l; }
    CHECK_MESSAGE(count == 1, r.err);
    CHECK_MESSAGE(errors.find(names) != std::string::npos, errors);
    CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("cli needle: table, json and csv of two methods over two depths and both needles") {
    const std::string args =
        "needle --cpu " + kModel + " --method none --method 'selfextend:G=4,W=64' --lengths 300 --depths 0.2,0.8 ";
    const CliRun t = run_cli(args);
    REQUIRE_MESSAGE(t.code == 0, t.err);
    CHECK(t.out.find("method: none") != std::string::npos);
    CHECK(t.out.find("method: selfextend:G=4,W=64") != std::string::npos);
    CHECK(t.out.find("retrieval heads over all cells:") != std::string::npos);
    CHECK(t.out.find("passkey      300   0.20") != std::string::npos);
    CHECK(t.out.find("sentence     300   0.80") != std::string::npos);

    const CliRun j = run_cli(args + "--format json");
    REQUIRE_MESSAGE(j.code == 0, j.err);
    const auto doc = nlohmann::json::parse(j.out);
    REQUIRE(doc["methods"].size() == 2);
    for (const auto& m : doc["methods"]) {
        CHECK(m["layers"] == 5);
        CHECK(m["heads"] == 8);
        REQUIRE(m["cells"].size() == 4);  // 2 tasks × 1 length × 2 depths
        int correct = 0, copyable = 0;
        std::vector<double> copies(40, 0.0);
        for (const auto& c : m["cells"]) {
            CHECK(c["prompt_tokens"].get<int>() + int(c["answer_ids"].size()) <= 300);
            CHECK(c["needle_begin"].get<int>() < c["needle_end"].get<int>());
            CHECK(c["copies"].size() == 40);
            CHECK(c["needle_mass"].size() == 40);
            double lp = 0;
            for (const auto& x : c["token_logprob"]) lp += x.get<double>();
            CHECK(c["logprob"].get<double>() == doctest::Approx(lp));
            CHECK(c["correct"].get<bool>() == (c["answer_ids"] == c["argmax_ids"]));
            correct += c["correct"].get<bool>();
            copyable += c["copyable"].get<int>();
            for (size_t i = 0; i < 40; ++i) {
                CHECK(c["copies"][i].get<int>() <= c["copyable"].get<int>());
                copies[i] += c["copies"][i].get<int>();
                CHECK(c["needle_mass"][i].get<double>() >= 0);
                CHECK(c["needle_mass"][i].get<double>() <= 1 + 1e-6);
            }
        }
        CHECK(m["accuracy"].get<double>() == doctest::Approx(correct / 4.0));
        REQUIRE(copyable > 0);
        for (size_t i = 0; i < 40; ++i) CHECK(m["retrieval"][i].get<double>() == doctest::Approx(copies[i] / copyable));
    }
    // The far branch changes where the answer rows look.
    CHECK(doc["methods"][0]["needle_mass"] != doc["methods"][1]["needle_mass"]);

    const CliRun c = run_cli(args + "--format csv");
    REQUIRE_MESSAGE(c.code == 0, c.err);
    const auto rows = lines_of(c.out);
    REQUIRE(rows.size() == 2 + 2 * 4 * 40);
    CHECK(rows[1] == "method,task,target_tokens,depth,prompt_tokens,needle_begin,correct,logprob,layer,head,copies,"
                     "copyable,retrieval,needle_mass");
    // Row of (none, first cell, layer 2, head 3) carries the JSON's copies and needle mass.
    std::stringstream row(rows[2 + 2 * 8 + 3]);
    std::vector<std::string> f;
    for (std::string x; std::getline(row, x, ',');) f.push_back(x);
    REQUIRE(f.size() == 14);
    CHECK(f[0] == "\"none\"");
    CHECK(f[1] == "passkey");
    CHECK(f[8] == "2");
    CHECK(f[9] == "3");
    const auto& cell = doc["methods"][0]["cells"][0];
    CHECK(std::stoi(f[10]) == cell["copies"][19].get<int>());
    CHECK(std::stod(f[13]) == doctest::Approx(cell["needle_mass"][19].get<double>()).epsilon(1e-5));
}

TEST_CASE("cli needle: bad input is one error line and exit code 2") {
    check_one_error("--depths 0.5,2", "--depths");
    check_one_error("--lengths 0", "--lengths");
    check_one_error("--tasks passkey,haystack", "haystack");
    check_one_error("--method notamethod", "notamethod");
    check_one_error("--lengths 24", "cannot hold");
}
