// Entry point of the desktop lab (GLFW + Dear ImGui on Vulkan). The `extrapolab` executable
// calls it when started without a subcommand.
#pragma once
#include <string>

namespace xl {

struct AppOptions {
    std::string model_path;      // default: bundled stories260K
    std::string tokenizer_path;
    std::string text_path;       // default: bundled TinyStories sample
    std::string preset_path;     // optional preset to open
    std::string results_path;    // optional finished sweep to open (merged .json or shard folder)
    int device_index = -1;       // -1 = automatic choice
    int max_frames = 0;          // > 0: quit after this many frames (smoke tests)
    std::string screenshot_path; // with max_frames: save the last frame as PNG (frames are counted
                                 // only once the first results are shown, so the capture has data)
    std::string panel;           // plot panel shown first ("perplexity", "attention", ...)
    int width = 1280, height = 800;   // window size, pixels
};
// Environment overrides (for smoke tests through the `extrapolab` binary): XL_APP_MAX_FRAMES,
// XL_APP_SCREENSHOT, XL_APP_PANEL, XL_APP_PRESET, XL_APP_SIZE ("WxH"), XL_STATE_DIR (where
// session.json / view.json are kept; by default $XDG_CONFIG_HOME or ~/.config/extrapolab, and
// nothing is persisted in runs with max_frames unless XL_STATE_DIR is set).

// Returns the process exit code. Without a display it prints that and points to the CLI (exit 2).
int run_desktop_app(const AppOptions& options);

}  // namespace xl
