// extrapolab: the headless command line over core/ (and the launcher of the desktop app).
// Machine outputs go to stdout, progress and information to stderr. Every user error (xl::Error
// or a command-line parse error) prints one "extrapolab: error: ..." line and exits with 2.
#include <cstdio>
#include <exception>
#include <vector>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#ifdef XL_HAVE_APP
#include "app/desktop_app.hpp"
#endif

namespace {

struct RootOptions {
    std::string model, tokenizer, text, preset, screenshot, results;
    int device = -1, frames = 0;
};

int open_desktop_app(const RootOptions& o, CLI::App& root) {
#ifdef XL_HAVE_APP
    xl::AppOptions a;
    a.model_path = o.model;
    a.tokenizer_path = o.tokenizer;
    a.text_path = o.text;
    a.preset_path = o.preset;
    a.results_path = o.results;
    a.device_index = o.device;
    a.max_frames = o.frames;
    a.screenshot_path = o.screenshot;
    return xl::run_desktop_app(a);
#else
    std::fprintf(stderr, "extrapolab: the desktop app is not built (configure with -DXL_BUILD_APP=ON); "
                         "the headless commands are:\n\n");
    std::fputs(root.help().c_str(), stderr);
    return 2;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App root{"extrapolab: a laboratory for long-context position methods on real small language models.\n"
                  "Without a subcommand it opens the desktop app."};
    root.require_subcommand(0, 1);
    RootOptions ro;
    root.add_option("--model", ro.model, "app: model file (default: bundled stories260K)");
    root.add_option("--tokenizer", ro.tokenizer, "app: tokenizer file for llama2.c checkpoints");
    root.add_option("--text", ro.text, "app: evaluation text");
    root.add_option("--preset", ro.preset, "app: preset to open");
    root.add_option("--results", ro.results, "app: finished sweep to open (merged .json or shard folder)");
    root.add_option("--device", ro.device, "app: Vulkan device index");
    root.add_option("--frames", ro.frames, "app: quit after this many frames (smoke tests)");
    root.add_option("--screenshot", ro.screenshot, "app: with --frames, save the last frame as PNG");

    std::vector<xl::cli::Command> commands = {
        xl::cli::add_eval_command(root), xl::cli::add_generate_command(root), xl::cli::add_rope_command(root),
        xl::cli::add_info_command(root), xl::cli::add_bench_command(root),
        xl::cli::add_figure_command(root), xl::cli::add_compare_command(root),
        xl::cli::add_passkey_command(root), xl::cli::add_table_command(root), xl::cli::add_nbce_command(root),
        xl::cli::add_positions_command(root), xl::cli::add_merge_command(root),
        xl::cli::add_posvec_command(root), xl::cli::add_evict_command(root), xl::cli::add_needle_command(root),
        xl::cli::add_logits_command(root)};
    try {
        root.parse(argc, argv);
        for (auto& c : commands)
            if (c.app->parsed()) return c.run();
        return open_desktop_app(ro, root);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return root.exit(e);  // --help, --version
        std::fprintf(stderr, "extrapolab: error: %s\n", e.what());
        return 2;
    } catch (const xl::Error& e) {
        std::fprintf(stderr, "extrapolab: error: %s\n", e.what());
        return 2;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "extrapolab: error: out of host memory\n");
        return 2;
    }
}
