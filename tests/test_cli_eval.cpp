// `extrapolab eval` and `generate` on the bundled stories260K with the CPU reference (short
// lengths, few windows: fast). Checks the protocol arithmetic end to end and that every output
// names the protocol, method, model and device.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "test_cli_run.hpp"

TEST_CASE("cli eval: json rows per method and length with scored tokens and names") {
    CliRun r = run_cli("eval --cpu --lengths 64,128 --windows 2 --method 'none;linear:s=2' --format json");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["protocol"]["name"].get<std::string>() == "all");
    CHECK(j["device"].get<std::string>() == "CPU reference");
    CHECK(j["model"]["path"].get<std::string>().find("stories260K") != std::string::npos);
    CHECK(j["text"]["documents"].get<int>() == 201);
    auto& rows = j["results"];
    REQUIRE(rows.size() == 4);
    CHECK(rows[0]["method"].get<std::string>() == "none");
    CHECK(rows[2]["method"].get<std::string>().rfind("linear", 0) == 0);
    CHECK(rows[0]["tokens_scored"].get<int>() == 2 * 63);
    CHECK(rows[1]["tokens_scored"].get<int>() == 2 * 127);
    for (auto& row : rows) {
        const double ppl = row["ppl"].get<double>();
        CHECK(ppl > 1.0);
        CHECK(ppl < 512.0);
        CHECK(std::exp(row["mean_nll"].get<double>()) == doctest::Approx(ppl).epsilon(1e-9));
        CHECK(row["windows"].get<int>() == 2);
    }
}

TEST_CASE("cli eval: half and sliding protocols and table or csv name protocol and device") {
    CliRun half = run_cli("eval --cpu --lengths 128 --windows 3 --protocol half --format json");
    REQUIRE_MESSAGE(half.code == 0, half.err);
    auto j = nlohmann::json::parse(half.out);
    CHECK(j["results"][0]["tokens_scored"].get<int>() == 3 * (128 - 1 - 64));

    CliRun table = run_cli("eval --cpu --lengths 64 --windows 4 --protocol sliding:32");
    REQUIRE_MESSAGE(table.code == 0, table.err);
    CHECK(table.out.find("protocol: sliding:32") != std::string::npos);
    CHECK(table.out.find("device: CPU reference") != std::string::npos);
    CHECK(table.out.find("none") != std::string::npos);

    const auto out = cli_temp_dir() / "eval.csv";
    CliRun csv = run_cli("eval --cpu --lengths 64 --windows 1 --format csv --out '" + out.string() + "'");
    REQUIRE_MESSAGE(csv.code == 0, csv.err);
    CHECK(csv.out.empty());
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find("# protocol: all") != std::string::npos);
    CHECK(text.find("# device: CPU reference") != std::string::npos);
    CHECK(text.find("\nnone,") != std::string::npos);
    int files = 0;
    for (auto& e : std::filesystem::directory_iterator(out.parent_path()))
        files += e.path().filename().string().rfind("eval.csv", 0) == 0;
    CHECK(files == 1);  // no temporary left behind
}

TEST_CASE("cli eval: the .bin and .gguf copies of stories260K give the same perplexity") {
    const std::string args = " --cpu --lengths 128 --windows 2 --format json";
    CliRun bin = run_cli("eval --model '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                         cli_shared("models/stories260K/tok512.bin") + "'" + args);
    CliRun gguf = run_cli("eval --model '" + cli_shared("models/stories260K/stories260K.gguf") + "'" + args);
    REQUIRE_MESSAGE(bin.code == 0, bin.err);
    REQUIRE_MESSAGE(gguf.code == 0, gguf.err);
    const double a = nlohmann::json::parse(bin.out)["results"][0]["ppl"].get<double>();
    const double b = nlohmann::json::parse(gguf.out)["results"][0]["ppl"].get<double>();
    CHECK(a == doctest::Approx(b).epsilon(1e-5));
}

TEST_CASE("cli generate: greedy from BOS on stories260K") {
    CliRun r = run_cli("generate --cpu --tokens 40");
    REQUIRE_MESSAGE(r.code == 0, r.err);
    CHECK(r.out.rfind("Once upon a time, there was a little girl named Lily.", 0) == 0);
    CHECK(r.err.find("device: CPU reference") != std::string::npos);
}
