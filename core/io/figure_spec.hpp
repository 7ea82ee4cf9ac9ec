// FigureSpec: the figure model, separate from the screen (DESIGN.md #11). Panels and the headless
// `figure` command build one from Results; the app draws it interactively, and the exporters
// write it as SVG (vector, real text), PNG (own rasteriser) and CSV (the data behind it).
//
//   FigureSpec f;
//   f.id = "ppl_vs_length"; f.title = "Perplexity vs evaluation length";
//   f.x = {"Evaluation length", "tokens", AxisScale::Log};
//   f.y = {"Perplexity", "", AxisScale::Log};
//   f.series.push_back({"A: none", xs, ys});
//   f.markers.push_back({MarkerKind::Vertical, 512, "train 512"});
//   write_svg(f, "ppl.svg"); write_png(f, "ppl.png", /*scale*/ 1); write_figure_csv(f, "ppl.csv");
#pragma once
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xl {

struct Rgba {
    float r = 0, g = 0, b = 0, a = 1;  // each in [0,1], straight (not premultiplied) alpha
};
Rgba rgba_hex(unsigned rgb, float alpha = 1.f);  // 0xRRGGBB
// The i-th colour of the figure palette (A, B, C, D, ...): colour-blind-safe qualitative set.
Rgba palette_color(int i);

enum class AxisScale { Linear, Log };

struct Axis {
    Axis() = default;
    Axis(std::string label_, std::string unit_ = "", AxisScale scale_ = AxisScale::Linear)
        : label(std::move(label_)), unit(std::move(unit_)), scale(scale_) {}
    std::string label;             // e.g. "Evaluation length"
    std::string unit;              // e.g. "tokens" (shown as "label (unit)"); may be empty
    AxisScale scale = AxisScale::Linear;
    double min = NAN, max = NAN;   // NaN = automatic from the data
    std::string csv_name;          // CSV column name; default derived from the label
    std::vector<double> ticks;     // explicit major ticks (e.g. the evaluated lengths); empty = automatic
    std::string title() const;     // "label (unit)"
};

enum class LineStyle { Solid, Dashed, Dotted };

// A series name as a legend shows it: names over kLegendChars characters (a long per-pair
// LongRoPE spec) end in "..." so that the legend stays inside the figure; CSV keeps the full name.
inline constexpr size_t kLegendChars = 56;
std::string legend_label(const std::string& name);

struct Series {
    Series() = default;
    Series(std::string name_, std::vector<double> x_, std::vector<double> y_)
        : name(std::move(name_)), x(std::move(x_)), y(std::move(y_)) {}
    std::string name;              // legend text, e.g. "A: yarn:s=4"
    std::vector<double> x, y;      // same size; non-finite y values break the line
    Rgba color = {0, 0, 0, 0};     // alpha 0 = take palette_color(index)
    float width_pt = 1.25f;        // line width, points
    LineStyle style = LineStyle::Solid;
    bool markers = false;          // draw a dot at each point
    bool legend = true;            // list in the legend
};

// A shaded region between lo(x) and hi(x) (e.g. a ±1 s.d. band or a ramp region).
struct Band {
    Band() = default;
    Band(std::string name_, std::vector<double> x_, std::vector<double> lo_, std::vector<double> hi_, int series = -1)
        : name(std::move(name_)), x(std::move(x_)), lo(std::move(lo_)), hi(std::move(hi_)), series_index(series) {}
    std::string name;
    std::vector<double> x, lo, hi;
    Rgba color = {0, 0, 0, 0};     // alpha 0 = palette colour of `series_index`
    int series_index = -1;         // ties the band's default colour to a series
    float opacity = 0.2f;
};

enum class MarkerKind { Vertical, Horizontal };

// A reference line across the plot: training length, critical dimension, ...
struct Marker {
    Marker() = default;
    Marker(MarkerKind k, double v, std::string label_ = "", Rgba c = {0.35f, 0.35f, 0.35f, 1},
           LineStyle st = LineStyle::Dashed)
        : kind(k), value(v), label(std::move(label_)), color(c), style(st) {}
    MarkerKind kind = MarkerKind::Vertical;
    double value = 0;              // in data units of the axis it crosses
    std::string label;
    Rgba color = {0.35f, 0.35f, 0.35f, 1};
    LineStyle style = LineStyle::Dashed;
};

// A matrix drawn over the plot area: cell (r, c) covers x in [x0 + c·dx, ...], y likewise.
struct Heatmap {
    int rows = 0, cols = 0;
    std::vector<float> values;     // rows*cols, row-major; non-finite = transparent (masked)
    double x0 = 0, x1 = 1;         // data range covered by the columns
    double y0 = 0, y1 = 1;         // data range covered by the rows (row 0 at y0)
    bool y_down = true;            // row 0 at the top (matrix convention)
    std::string colormap = "viridis";  // "viridis", "magma", "diverging"
    bool log_scale = false;        // colour scale log10(value) (values <= 0 masked)
    double vmin = NAN, vmax = NAN; // NaN = automatic (diverging: symmetric around 0)
    std::string colorbar_label;
};

struct FigureSpec {
    std::string id;                // file stem for exports, e.g. "ppl_vs_length"
    std::string title;
    Axis x, y;
    std::vector<Series> series;
    std::vector<Band> bands;
    std::vector<Marker> markers;
    std::optional<Heatmap> heatmap;
    bool legend = true;
    double width_in = 3.5;         // physical size; 3.5 in = one column of a two-column paper
    double height_in = 2.6;
    int dpi = 300;                 // PNG pixels per inch at scale 1
    std::string font_family = "DejaVu Sans";  // "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"
    double font_pt = 8;            // base text size, points
    // Named protocol, method, convention, model, ... : written as CSV header comments and SVG <desc>.
    std::map<std::string, std::string> meta;

    Rgba series_color(size_t i) const;  // explicit colour or palette
};

// Data range of everything drawn along each axis (ignoring explicit min/max), with log axes
// using positive values only. Returns false when there is nothing to fit.
bool data_range(const FigureSpec& f, bool x_axis, double& lo, double& hi);
// The range shown: explicit min/max where given, else the data range with a small margin.
void axis_range(const FigureSpec& f, bool x_axis, double& lo, double& hi);

}  // namespace xl
