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
    int device_index = -1;       // -1 = automatic choice
    int max_frames = 0;          // > 0: quit after this many frames (smoke tests)
    std::string screenshot_path; // with max_frames: save the last frame as PNG
};

// Returns the process exit code. Without a display it prints that and points to the CLI (exit 2).
int run_desktop_app(const AppOptions& options);

}  // namespace xl
