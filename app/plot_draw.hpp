// Drawing half of the plot widget: the mapping of a plot's data range onto a screen rectangle,
// and the ImDrawList rendering of a FigureSpec into it (grid, bands, series, markers, heatmap,
// colour bar, legend, hover read-out).
#pragma once
#include <imgui.h>

#include "core/io/figure_spec.hpp"
#include "core/session/view_state.hpp"

namespace xl {

struct PlotArea {
    ImVec2 min, max;              // plot rectangle (screen)
    ImVec2 frame_min, frame_max;  // the whole widget
    double x0, x1, y0, y1;        // visible data range
    bool xlog = false, ylog = false, y_inverted = false;
    float rect_w() const { return max.x - min.x; }
    float rect_h() const { return max.y - min.y; }
    float sx(double v) const;
    float sy(double v) const;
    double data_x(float px) const;
    double data_y(float py) const;
};

PlotArea make_plot_area(const FigureSpec& f, const PlotView& pv, ImVec2 pos, ImVec2 size);
void draw_plot(const FigureSpec& f, const PlotArea& a, bool hovered);

}  // namespace xl
