// File > Open results (app/app_results.hpp) under Xvfb: a sharded sweep made by the real CLI and
// merged to JSON opens in the Perplexity panel (and so does its shard folder); a folder with a
// missing shard opens the error dialog naming the missing cells.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/io/atomic_file.hpp"
#include "run_command.hpp"

namespace fs = std::filesystem;

namespace {

fs::path results_dir() {
    const fs::path d = fs::temp_directory_path() / ("xl_app_results_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string cli() { return std::string("'") + XL_CLI_PATH + "' "; }

}  // namespace

TEST_CASE("app results: a merged sharded sweep opens in the Perplexity panel and an incomplete one is refused") {
    const fs::path dir = results_dir();
    const std::string shards = (dir / "shards").string(), merged = (dir / "merged.json").string();
    const std::string sweep = "eval --cpu --method 'none;linear:s=2;yarn:s=2,orig=512' --lengths 64,128,256 --windows 1 ";
    for (const char* s : {"0/2", "1/2"})
        REQUIRE(run_command(cli() + sweep + "--shard " + s + " --shard-dir '" + shards + "'").rc == 0);
    REQUIRE(run_command(cli() + "merge '" + shards + "' --format json --out '" + merged + "'").rc == 0);
    const std::string partial = (dir / "partial").string();
    REQUIRE(run_command(cli() + sweep + "--shard 0/2 --shard-dir '" + partial + "'").rc == 0);

    const std::string shot = (dir / "results.png").string();
    xl::write_file_atomic((dir / "script.txt").string(),
                          "wait\nresults " + merged + "\nexpect-results 9\npanel perplexity\nscreenshot " + shot +
                              "\nresults " + shards + "\nexpect-results 9\nresults " + partial +
                              "\nexpect-error missing 4 of 9 cells\n");
    const CommandRun r = run_command("XL_APP_SCRIPT='" + (dir / "script.txt").string() + "' XL_STATE_DIR='" +
                                     (dir / "state").string() + "' XL_APP_SIZE=1200x800 xvfb-run -a -s '-screen 0 1280x1024x24' " +
                                     cli());
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(r.out.find("script: ok expect-results 9") != std::string::npos);
    CHECK(r.out.find("script: ok expect-error missing 4 of 9 cells") != std::string::npos);
    CHECK(fs::file_size(shot) > 10000);
    if (!getenv("XL_KEEP_TMP")) fs::remove_all(dir);
}
