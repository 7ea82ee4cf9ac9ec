#include "core/io/figure_spec.hpp"

#include <algorithm>

namespace xl {

Rgba rgba_hex(unsigned rgb, float alpha) {
    return {((rgb >> 16) & 0xff) / 255.f, ((rgb >> 8) & 0xff) / 255.f, (rgb & 0xff) / 255.f, alpha};
}

Rgba palette_color(int i) {
    // The colour-universal-design qualitative palette (colour-blind safe), without its yellow.
    static const unsigned k[] = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000};
    const int n = int(sizeof(k) / sizeof(k[0]));
    return rgba_hex(k[((i % n) + n) % n]);
}

std::string Axis::title() const { return unit.empty() ? label : label + " (" + unit + ")"; }

Rgba FigureSpec::series_color(size_t i) const {
    if (i < series.size() && series[i].color.a > 0) return series[i].color;
    return palette_color(int(i));
}

namespace {

void extend(double v, bool log, double& lo, double& hi) {
    if (!std::isfinite(v) || (log && v <= 0)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
}

}  // namespace

bool data_range(const FigureSpec& f, bool x_axis, double& lo, double& hi) {
    const bool log = (x_axis ? f.x.scale : f.y.scale) == AxisScale::Log;
    lo = INFINITY;
    hi = -INFINITY;
    for (const Series& s : f.series)
        for (double v : x_axis ? s.x : s.y) extend(v, log, lo, hi);
    for (const Band& b : f.bands) {
        if (x_axis) {
            for (double v : b.x) extend(v, log, lo, hi);
        } else {
            for (double v : b.lo) extend(v, log, lo, hi);
            for (double v : b.hi) extend(v, log, lo, hi);
        }
    }
    if (f.heatmap) {
        extend(x_axis ? f.heatmap->x0 : f.heatmap->y0, log, lo, hi);
        extend(x_axis ? f.heatmap->x1 : f.heatmap->y1, log, lo, hi);
    }
    for (const Marker& m : f.markers)
        if ((m.kind == MarkerKind::Vertical) == x_axis) extend(m.value, log, lo, hi);
    return lo <= hi;
}

void axis_range(const FigureSpec& f, bool x_axis, double& lo, double& hi) {
    const Axis& a = x_axis ? f.x : f.y;
    const bool log = a.scale == AxisScale::Log;
    if (!data_range(f, x_axis, lo, hi)) {
        lo = log ? 1 : 0;
        hi = log ? 10 : 1;
    }
    if (lo == hi) {
        if (log) { lo /= 2; hi *= 2; }
        else { lo -= 0.5; hi += 0.5; }
    } else if (!f.heatmap) {  // a small margin so lines do not sit on the frame
        if (log) {
            const double m = std::pow(hi / lo, 0.03);
            lo /= m; hi *= m;
        } else {
            const double m = 0.03 * (hi - lo);
            if (!x_axis) { lo -= m; hi += m; }
        }
    }
    if (std::isfinite(a.min)) lo = a.min;
    if (std::isfinite(a.max)) hi = a.max;
    if (log) {
        lo = std::max(lo, 1e-300);
        hi = std::max(hi, lo * 1.0001);
    } else if (hi <= lo) {
        hi = lo + 1;
    }
}

std::string legend_label(const std::string& name) {
    if (name.size() <= kLegendChars) return name;
    size_t cut = kLegendChars - 3;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
    return name.substr(0, cut) + "...";
}

}  // namespace xl
