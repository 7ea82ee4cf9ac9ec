// A laid-out figure: drawing primitives in points (1/72 in), origin top-left, y down. One layout
// (figure_layout.cpp) feeds both exporters, so the SVG and the PNG of a figure agree.
//
//   Scene s = layout_figure(spec);      // then write_svg(s, ...) or rasterize(s, scale)
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/io/figure_spec.hpp"

namespace xl {

struct PointF { float x = 0, y = 0; };
struct RectF { float x = 0, y = 0, w = 0, h = 0; };

struct ScenePath {
    std::vector<PointF> points;
    Rgba stroke = {0, 0, 0, 0};    // alpha 0 = no stroke
    Rgba fill = {0, 0, 0, 0};      // alpha 0 = no fill (fill closes the path)
    float width = 1;               // stroke width, points
    LineStyle style = LineStyle::Solid;
    bool clip = false;             // clipped to the plot area
    std::string group;             // SVG class, e.g. "series" / "band" / "grid" / "frame"
    std::string name;              // series name (SVG data-name), for readers and tests
};

struct SceneText {
    float x = 0, y = 0;            // anchor point on the baseline
    std::string text;              // UTF-8
    float size = 8;                // em, points
    int anchor = -1;               // -1 start, 0 middle, 1 end
    bool vertical = false;         // rotated 90° counter-clockwise (reads bottom to top)
    bool bold = false;
    Rgba color = {0, 0, 0, 1};
};

struct SceneImage {
    RectF rect;                    // points
    int width = 0, height = 0;     // pixels
    std::vector<uint8_t> rgba;     // width*height*4, row 0 at the top, straight alpha
    bool clip = false;
};

using SceneItem = std::variant<ScenePath, SceneText, SceneImage>;

struct Scene {
    float width = 0, height = 0;   // points
    RectF plot;                    // the plot area (clip rectangle)
    std::string title, font_family, description;
    std::vector<SceneItem> items;  // in drawing order
};

Scene layout_figure(const FigureSpec& f);

}  // namespace xl
