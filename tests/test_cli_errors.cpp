// Bad input to `extrapolab` (issue 2, "Bad input"): each case exits with code 2 and prints one
// "extrapolab: error:" line naming the file (or spec/length) and the problem, nothing on stdout.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "test_cli_run.hpp"

namespace {

int count_of(const std::string& s, const std::string& what) {
    int n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
    return n;
}

void check_user_error(const CliRun& r, const std::string& names) {
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(count_of(r.err, "extrapolab: error:") == 1);
    CHECK(count_of(r.err, "\n") <= 2);  // at most a device line before the error
    CHECK_MESSAGE(r.err.find(names) != std::string::npos, r.err);
}

const std::string kBin = cli_shared("models/stories260K/stories260K.bin");
const std::string kTok = cli_shared("models/stories260K/tok512.bin");

}  // namespace

TEST_CASE("cli errors: missing or truncated or foreign model files") {
    const auto dir = cli_temp_dir();
    const std::string missing = (dir / "no_such_model.bin").string();
    check_user_error(run_cli("eval --cpu --model '" + missing + "' --tokenizer '" + kTok + "'"), missing);

    const std::string half = (dir / "stories260K_half.bin").string();
    {
        std::ifstream in(kBin, std::ios::binary);
        std::string all((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(half, std::ios::binary).write(all.data(), std::streamsize(all.size() / 2));
    }
    check_user_error(run_cli("eval --cpu --model '" + half + "' --tokenizer '" + kTok + "'"), half);
    check_user_error(run_cli("info '" + half + "' --tokenizer '" + kTok + "'"), half);

    const std::string text_file = cli_shared("data/tinystories/README.md");
    check_user_error(run_cli("eval --cpu --model '" + text_file + "'"), text_file);
}

TEST_CASE("cli errors: missing text or bad method spec or bad protocol") {
    const std::string missing = (cli_temp_dir() / "no_such_text.txt").string();
    check_user_error(run_cli("eval --cpu --text '" + missing + "'"), missing);
    check_user_error(run_cli("eval --cpu --method 'yarn:bogus=1'"), "yarn");
    check_user_error(run_cli("eval --cpu --method 'notamethod'"), "notamethod");
    check_user_error(run_cli("eval --cpu --protocol sliding:0"), "sliding:0");
    check_user_error(run_cli("rope --method 'linear:s=abc'"), "linear");
}

TEST_CASE("cli errors: a tokenizer that does not match the model") {
    const std::string tok105 = cli_shared("models/babyllama/tok105.bin");
    check_user_error(run_cli("eval --cpu --model '" + kBin + "' --tokenizer '" + tok105 + "'"), tok105);
}

TEST_CASE("cli errors: a length beyond memory or beyond the text") {
    CliRun oom = run_cli("eval --cpu --lengths 100000000");
    check_user_error(oom, "100000000");
    CHECK(oom.err.find("memory") != std::string::npos);

    const auto tiny = (cli_temp_dir() / "tiny.txt").string();
    std::ofstream(tiny) << "Once upon a time.\n";
    CliRun longer = run_cli("eval --cpu --lengths 256 --text '" + tiny + "'");
    check_user_error(longer, tiny);
    CHECK(longer.err.find("tokens") != std::string::npos);
}

TEST_CASE("cli errors: command-line syntax errors exit 2 as well") {
    CliRun r = run_cli("eval --no-such-option");
    CHECK(r.code == 2);
    CHECK(r.err.find("extrapolab: error:") != std::string::npos);
    CHECK(run_cli("rope --format xml").code == 2);
    CHECK(run_cli("eval --lengths 12,abc").code == 2);
    CHECK(run_cli("--help").code == 0);
}
