// GUI smoke tests through the `extrapolab` binary (XL_CLI_PATH): without a display it says so and
// exits 2; under Xvfb (xvfb-run, lavapipe) it starts on a small preset, renders frames until the
// first results are in (computed with the CPU reference: the GPU engine has its own tests), and saves a screenshot that decodes at the window size; a broken preset
// given at start is reported and the app still runs on its default session.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/io/atomic_file.hpp"
#include "run_command.hpp"

namespace {

bool have_xvfb() { return std::system("command -v xvfb-run > /dev/null 2>&1") == 0; }

std::filesystem::path temp_dir() {
    auto d = std::filesystem::temp_directory_path() / ("xl_app_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
}

}  // namespace

TEST_CASE("app: without a display the app says so and points to the headless commands") {
    const CommandRun r = run_command("env -u DISPLAY -u WAYLAND_DISPLAY " + std::string(XL_CLI_PATH));
    CHECK(r.rc == 2);
    CHECK(r.out.find("no display") != std::string::npos);
    CHECK(r.out.find("figure") != std::string::npos);
}

TEST_CASE("app: starts under Xvfb, renders frames with results and saves a screenshot") {
    REQUIRE_MESSAGE(have_xvfb(), "xvfb-run is needed for the GUI tests (Debian package xvfb)");
    const auto dir = temp_dir();
    const std::string preset = (dir / "small.json").string(), shot = (dir / "shot.png").string();
    xl::write_file_atomic(preset, std::string(R"({"name": "smoke", "model": ")") + XL_SOURCE_DIR +
        R"(/assets/stories260K.bin", "tokenizer": ")" + XL_SOURCE_DIR + R"(/assets/tok512.bin", "text": ")" +
        XL_SOURCE_DIR + R"(/assets/tinystories-valid-first201.txt", "configs": ["none", "yarn:s=2,orig=512"],
        "eval_length": 128, "lengths": [64, 128], "attention_grid": 32, "panels": ["perplexity", "attention"],
        "lesson": "smoke"})");
    const CommandRun r = run_command("XL_FORWARD=cpu XL_APP_SIZE=900x600 XL_APP_MAX_FRAMES=3 XL_APP_PANEL=attention XL_APP_SCREENSHOT=" + shot +
                      " XL_APP_PRESET=" + preset + " xvfb-run -a -s '-screen 0 1024x768x24' " + XL_CLI_PATH);
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(r.out.find("frames: 3") != std::string::npos);
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(shot.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    CHECK(w == 900);
    CHECK(h == 600);
    int distinct = 0;  // a rendered UI, not a cleared frame
    for (int i = 1; i < w * h; ++i) distinct += px[4 * i] != px[4 * (i - 1)];
    stbi_image_free(px);
    CHECK(distinct > 2000);

    // Session and view state are saved on exit and restored at the next start.
    const std::string state = (dir / "state").string();
    const CommandRun saved = run_command("XL_FORWARD=cpu XL_STATE_DIR=" + state + " XL_APP_MAX_FRAMES=2 XL_APP_PRESET=" + preset +
                          " xvfb-run -a " + std::string(XL_CLI_PATH));
    CHECK(saved.rc == 0);
    REQUIRE(std::filesystem::exists(dir / "state" / "session.json"));
    CHECK(xl::read_text_file((dir / "state" / "session.json").string()).find("\"name\": \"smoke\"") != std::string::npos);
    CHECK(std::filesystem::exists(dir / "state" / "view.json"));

    xl::write_file_atomic(preset, R"({"name": "bad", "eval_length": 0})");
    const CommandRun bad = run_command("XL_FORWARD=cpu XL_APP_MAX_FRAMES=2 XL_APP_PRESET=" + preset + " xvfb-run -a " + std::string(XL_CLI_PATH));
    CHECK(bad.rc == 0);   // the app keeps running on its default session
    std::filesystem::remove_all(dir);
}
