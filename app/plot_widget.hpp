// Interactive plots over ImDrawList (no ImPlot package in Debian): a FigureSpec drawn with zoom
// (mouse wheel; Shift = x only, Ctrl = y only), pan (drag), double-click to fit, hover read-out,
// legends, bands, log axes, markers, heatmaps with a colour bar; and export buttons writing the
// same FigureSpec as SVG / PNG / CSV through core/io (DESIGN.md #11).
//
//   plot_figure(figure_ppl_vs_length(results), view, 260);
#pragma once
#include "core/io/figure_spec.hpp"
#include "core/session/view_state.hpp"

namespace xl {

void plot_figure(const FigureSpec& f, ViewState& view, float height);
// Writes <export_dir>/<id>.svg|.png|.csv; returns the message shown in the status bar.
std::string export_figure(const FigureSpec& f, const ViewState& view, const char* kind);

}  // namespace xl
