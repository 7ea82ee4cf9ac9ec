// The headless figure path (`extrapolab figure --preset P --out DIR`): load a preset, compute its
// Results synchronously, and write every figure of every panel it shows as SVG, PNG and CSV,
// plus the perplexity table in the YaRN repository's CSV layout.
//
//   int rc = write_preset_figures("presets/yarn_temperature.json", "out");  // 0, or 2 on bad input
#pragma once
#include <string>
#include <vector>

#include "core/io/figure_spec.hpp"
#include "core/session/results.hpp"
#include "core/session/session.hpp"
#include "core/session/view_state.hpp"

namespace xl {

// A preset given by path, or by name ("rope_basics" -> presets/rope_basics.json, looked up in
// the working directory and the source tree). Throws Error(BadFile) when not found.
std::string find_preset(const std::string& name_or_path);

// Writes <out_dir>/<id>.svg, .png and .csv of one figure (each atomically), creating out_dir;
// returns the paths. Error(BadFile) naming the directory or file that cannot be written.
std::vector<std::string> write_figure_files(const FigureSpec& f, const std::string& out_dir, double png_scale = 1);

// Writes <id>.svg/.png/.csv for each figure of the shown panels and ppl_vs_length_yarn.csv;
// returns the written paths. Throws xl::Error on failure (no partial files: each is atomic).
std::vector<std::string> write_results_figures(const Session& s, const Results& r, const ViewState& v,
                                               const std::string& out_dir, double png_scale = 1);

// Prints what it wrote (stdout) or the error (stderr). Returns 0, or 2 on an xl::Error.
int write_preset_figures(const std::string& preset, const std::string& out_dir);

}  // namespace xl
