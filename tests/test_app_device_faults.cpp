// The desktop app under injected device faults (core/gpu/fault_injection.hpp), driven by a
// scripted session under Xvfb with lavapipe: a device lost in the middle of a run, or device
// memory running out, opens the error dialog naming the Vulkan error, the session stays as it
// was, and the app exits 0 when the script ends — instead of waiting forever for results that
// cannot come. `timeout` turns a hang into exit status 124. The dialog is saved as a screenshot
// and must differ from the same window without it.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <filesystem>
#include <string>
#include <unistd.h>

#include "core/io/atomic_file.hpp"
#include "run_command.hpp"

namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("xl_app_faults_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// A small preset on the bundled stories260K model (the Vulkan forward: the faults are its).
std::string write_preset(const fs::path& dir) {
    const std::string a = std::string(XL_SOURCE_DIR) + "/assets/";
    const std::string p = (dir / "faults.json").string();
    xl::write_file_atomic(p, R"({"extrapolab_preset": 1, "name": "device-faults", "model": ")" + a + R"(stories260K.bin",
        "tokenizer": ")" + a + R"(tok512.bin", "text": ")" + a + R"(tinystories-valid-first201.txt",
        "configs": ["none", "linear:s=2"], "eval_length": 128, "lengths": [64, 128], "max_windows": 1,
        "panels": ["perplexity"]})");
    return p;
}

// Runs the app on the preset with `fault` (VAR=value) and the script; 120 s at most.
CommandRun run_app(const fs::path& dir, const std::string& fault, const std::string& script) {
    const std::string file = (dir / "script.txt").string();
    xl::write_file_atomic(file, script);
    return run_command("env " + fault + " XL_APP_PRESET='" + write_preset(dir) + "' XL_APP_SCRIPT='" + file +
                       "' XL_STATE_DIR='" + (dir / "state").string() +
                       "' XL_APP_SIZE=1000x700 timeout 120 xvfb-run -a -s '-screen 0 1280x1024x24' '" + XL_CLI_PATH + "'");
}

// Pixels that differ between two screenshots of the same size (-1 when either does not decode).
long changed_pixels(const std::string& a, const std::string& b) {
    int wa = 0, ha = 0, wb = 0, hb = 0, n = 0;
    unsigned char* pa = stbi_load(a.c_str(), &wa, &ha, &n, 4);
    unsigned char* pb = stbi_load(b.c_str(), &wb, &hb, &n, 4);
    long changed = -1;
    if (pa && pb && wa == wb && ha == hb) {
        changed = 0;
        for (long i = 0; i < long(wa) * ha; ++i) changed += pa[4 * i] != pb[4 * i] || pa[4 * i + 1] != pb[4 * i + 1];
    }
    if (pa) stbi_image_free(pa);
    if (pb) stbi_image_free(pb);
    return changed;
}

void check_fault_dialog(const std::string& name, const std::string& fault, const std::string& vk_error) {
    const fs::path dir = temp_dir(name);
    const std::string dialog = (dir / "dialog.png").string(), after = (dir / "after.png").string();
    // wait: the request ends (here in an error); the dialog is shown, captured, then dismissed.
    const CommandRun r = run_app(dir, fault, "wait\nscreenshot " + dialog + "\nexpect-error " + vk_error +
                                                 "\nexpect-name device-faults\nscreenshot " + after + "\n");
    INFO(r.out);
    CHECK(r.rc == 0);  // 124: timeout (the app hung), 1: a script step failed
    CHECK(r.out.find("FAILED") == std::string::npos);
    CHECK(r.out.find("script: ok expect-error " + vk_error) != std::string::npos);
    CHECK(r.out.find("script: ok expect-name device-faults") != std::string::npos);
    CHECK(changed_pixels(dialog, after) > 2000);  // the dialog was on screen, and is gone after
    fs::remove_all(dir);
}

}  // namespace

TEST_CASE("app device faults: a device lost in the middle of a run opens the error dialog and keeps the session") {
    check_fault_dialog("lost", "XL_TEST_DEVICE_LOST_AFTER=1", "VK_ERROR_DEVICE_LOST");
}

TEST_CASE("app device faults: device memory running out opens the error dialog and keeps the session") {
    check_fault_dialog("oom", "XL_TEST_DEVICE_MEMORY_MB=1", "VK_ERROR_OUT_OF_DEVICE_MEMORY");
}

TEST_CASE("app device faults: with a screenshot asked for, a failed run still ends after its frames") {
    // XL_APP_MAX_FRAMES counts only frames with finished results: a job that failed has none, and
    // the app waited 300 s before counting (timeout 120 ends it with 124).
    const fs::path dir = temp_dir("frames");
    const std::string shot = (dir / "shot.png").string();
    const CommandRun r = run_command("env XL_TEST_DEVICE_LOST_AFTER=1 XL_APP_MAX_FRAMES=3 XL_APP_SCREENSHOT='" + shot +
                                     "' XL_APP_PRESET='" + write_preset(dir) + "' XL_STATE_DIR='" + (dir / "state").string() +
                                     "' XL_APP_SIZE=1000x700 timeout 120 xvfb-run -a -s '-screen 0 1280x1024x24' '" +
                                     XL_CLI_PATH + "'");
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(r.out.find("frames: 3") != std::string::npos);
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(shot.c_str(), &w, &h, &n, 4);
    CHECK(px != nullptr);
    if (px) stbi_image_free(px);
    CHECK(w == 1000);
    fs::remove_all(dir);
}
