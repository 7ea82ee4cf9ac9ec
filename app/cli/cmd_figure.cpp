// extrapolab figure --preset P --out DIR: the paper figures of a preset, headless (SVG, PNG, CSV and
// the perplexity table in the YaRN repository's CSV layout), from the same FigureSpecs the app draws.
#include <string>

#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/session/headless_figures.hpp"

namespace xl::cli {

Command add_figure_command(CLI::App& root) {
    struct Options {
        std::string preset, out = "figures";
    };
    auto o = std::make_shared<Options>();
    CLI::App* app = root.add_subcommand("figure", "write every figure of a preset as SVG, PNG and CSV");
    app->add_option("--preset", o->preset, "preset file, or a name from presets/ (e.g. yarn_paper_figure)")
        ->required();
    app->add_option("--out", o->out, "output directory (created if missing)");
    return {app, [o] { return write_preset_figures(o->preset, o->out); }};
}

}  // namespace xl::cli
