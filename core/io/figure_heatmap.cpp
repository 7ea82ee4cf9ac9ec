// The heatmap part of a figure layout: the colour-mapped image and its colour bar.
#include <algorithm>
#include <cmath>

#include "core/io/colormap.hpp"
#include "core/io/scene.hpp"
#include "core/io/ticks.hpp"

namespace xl {

void add_heatmap_and_colorbar(const FigureSpec& f, Scene& scene, const RectF& plot, double fs, double x_data0,
                              double x_data1, double y_data0, double y_data1, bool xlog, bool ylog) {
    const Heatmap& h = *f.heatmap;
    if (h.rows <= 0 || h.cols <= 0) return;
    auto lin = [](double v, double a, double b, bool log) {
        return log ? (std::log10(v) - std::log10(a)) / (std::log10(b) - std::log10(a)) : (v - a) / (b - a);
    };
    const double ux0 = lin(h.x0, x_data0, x_data1, xlog), ux1 = lin(h.x1, x_data0, x_data1, xlog);
    double uy0 = lin(h.y0, y_data0, y_data1, ylog), uy1 = lin(h.y1, y_data0, y_data1, ylog);
    SceneImage img;
    img.width = h.cols;
    img.height = h.rows;
    img.rgba = heatmap_rgba(h);
    img.clip = true;
    // Row 0 is drawn at the top: with y_down the axis is inverted (y0 at the top); otherwise flip rows.
    if (!h.y_down) {
        const size_t stride = size_t(h.cols) * 4;
        for (int r = 0; r < h.rows / 2; ++r)
            std::swap_ranges(img.rgba.begin() + r * stride, img.rgba.begin() + (r + 1) * stride,
                             img.rgba.begin() + (h.rows - 1 - r) * stride);
        std::swap(uy0, uy1);
        uy0 = 1 - uy0;
        uy1 = 1 - uy1;
    }
    // With y_down: u measured from the top.
    img.rect = {float(plot.x + ux0 * plot.w), float(plot.y + std::min(uy0, uy1) * plot.h),
                float((ux1 - ux0) * plot.w), float(std::fabs(uy1 - uy0) * plot.h)};
    scene.items.push_back(std::move(img));

    // Colour bar: a 1×256 gradient, high values at the top, with ticks on the colour scale.
    double lo, hi;
    heatmap_range(h, lo, hi);
    const RectF bar{float(plot.x + plot.w + 8), plot.y, 8.f, plot.h};
    SceneImage grad;
    grad.width = 1;
    grad.height = 256;
    grad.rect = bar;
    const ColormapTable& table = colormap_table(is_colormap(h.colormap) ? h.colormap : "viridis");
    for (int i = 0; i < 256; ++i) {
        const auto& c = table[255 - i];
        grad.rgba.insert(grad.rgba.end(), {c[0], c[1], c[2], 255});
    }
    scene.items.push_back(std::move(grad));
    ScenePath frame;
    frame.points = {{bar.x, bar.y}, {bar.x + bar.w, bar.y}, {bar.x + bar.w, bar.y + bar.h}, {bar.x, bar.y + bar.h}, {bar.x, bar.y}};
    frame.stroke = {0.1f, 0.1f, 0.1f, 1};
    frame.width = 0.5f;
    frame.group = "colorbar";
    scene.items.push_back(frame);
    const std::vector<Tick> ticks = h.log_scale ? make_ticks(std::pow(10, lo), std::pow(10, hi), AxisScale::Log, 4)
                                                : make_ticks(lo, hi, AxisScale::Linear, 4);
    double label_w = 0;
    for (const Tick& t : ticks) {
        if (!t.major) continue;
        const double u = ((h.log_scale ? std::log10(t.value) : t.value) - lo) / (hi - lo);
        const float y = float(bar.y + bar.h * (1 - u));
        ScenePath tk;
        tk.points = {{bar.x + bar.w, y}, {bar.x + bar.w + 2.5f, y}};
        tk.stroke = {0.1f, 0.1f, 0.1f, 1};
        tk.width = 0.5f;
        tk.group = "colorbar";
        scene.items.push_back(tk);
        scene.items.push_back(SceneText{bar.x + bar.w + 4, float(y + 0.35 * fs), t.label, float(fs), -1});
        label_w = std::max(label_w, 0.6 * fs * t.label.size());
    }
    if (!h.colorbar_label.empty())
        scene.items.push_back(SceneText{float(bar.x + bar.w + 6 + label_w + fs), float(bar.y + bar.h / 2),
                                        h.colorbar_label, float(fs), 0, true});
}

}  // namespace xl
