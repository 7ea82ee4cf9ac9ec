// CSV export of the data behind a figure, and the YaRN repository's perplexity layout.
//
// Figure CSV: '#' comment lines name the figure, its axes, markers and every meta entry
// (protocol, method, convention, model, ...), then a header row and one row per point:
//   lines:    series,<x column>,<y column>          (bands as "<name> (lo)" / "<name> (hi)" series)
//   heatmaps: row,col,<x column>,<y column>,value   (cell centres)
// YaRN layout (eval/perplexity.py --output-file): first row ",L1,L2,...", then one row per
// configuration "name,ppl(L1),ppl(L2),..." with no comment lines, so the repository's plotting
// scripts read it unchanged.
//
//   write_figure_csv(spec, "ppl_vs_length.csv");
//   write_yarn_csv({{256, 512}, {{"yarn:s=4", {9.1, 8.7}}}}, "ppl_yarn_layout.csv");
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/io/figure_spec.hpp"

namespace xl {

struct PerplexityTable {
    std::vector<int> lengths;                                      // columns
    std::vector<std::pair<std::string, std::vector<double>>> rows;  // name, ppl per length (NaN = not run)
};

std::string csv_field(const std::string& s);    // quoted when it holds , " or a newline
std::string csv_column_name(const Axis& a, const char* fallback);
std::string figure_csv_string(const FigureSpec& f);
void write_figure_csv(const FigureSpec& f, const std::string& path);
std::string yarn_csv_string(const PerplexityTable& t);
void write_yarn_csv(const PerplexityTable& t, const std::string& path);

}  // namespace xl
