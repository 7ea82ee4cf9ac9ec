#include "core/io/colormap.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace xl {
namespace {

struct Lab { double L, a, b; };

double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
double linear_to_srgb(double c) {
    c = std::clamp(c, 0.0, 1.0);
    return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1 / 2.4) - 0.055;
}

// sRGB (D65) <-> CIELAB, the standard definitions.
constexpr double kXn = 0.95047, kYn = 1.0, kZn = 1.08883;
double f_lab(double t) { return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116; }
double f_lab_inv(double t) { return t * t * t > 216.0 / 24389 ? t * t * t : (116 * t - 16) / (24389.0 / 27); }

Lab to_lab(double r, double g, double b) {
    r = srgb_to_linear(r); g = srgb_to_linear(g); b = srgb_to_linear(b);
    const double X = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    const double Y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    const double Z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    const double fx = f_lab(X / kXn), fy = f_lab(Y / kYn), fz = f_lab(Z / kZn);
    return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

std::array<uint8_t, 3> from_lab(const Lab& c) {
    const double fy = (c.L + 16) / 116, fx = fy + c.a / 500, fz = fy - c.b / 200;
    const double X = kXn * f_lab_inv(fx), Y = kYn * f_lab_inv(fy), Z = kZn * f_lab_inv(fz);
    const double r = 3.2404542 * X - 1.5371385 * Y - 0.4985314 * Z;
    const double g = -0.9692660 * X + 1.8760108 * Y + 0.0415560 * Z;
    const double b = 0.0556434 * X - 0.2040259 * Y + 1.0572252 * Z;
    auto q = [](double v) { return uint8_t(std::lround(linear_to_srgb(v) * 255)); };
    return {q(r), q(g), q(b)};
}

// Evenly spaced control points -> 256 entries, interpolated in CIELAB.
ColormapTable build(const std::vector<unsigned>& stops) {
    std::vector<Lab> lab;
    for (unsigned s : stops) lab.push_back(to_lab(((s >> 16) & 255) / 255.0, ((s >> 8) & 255) / 255.0, (s & 255) / 255.0));
    ColormapTable t{};
    const int n = int(lab.size()) - 1;
    for (int i = 0; i < 256; ++i) {
        const double u = i / 255.0 * n;
        const int k = std::min(int(u), n - 1);
        const double w = u - k;
        const Lab& p = lab[k];
        const Lab& q = lab[k + 1];
        t[i] = from_lab({p.L + w * (q.L - p.L), p.a + w * (q.a - p.a), p.b + w * (q.b - p.b)});
    }
    return t;
}

// Published 11-stop samples (t = 0, 0.1, ..., 1) of the matplotlib maps.
const ColormapTable kViridis = build({0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
                                      0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725});
const ColormapTable kMagma = build({0x000004, 0x140e36, 0x3b0f70, 0x641a80, 0x8c2981, 0xb73779,
                                    0xde4968, 0xf7705c, 0xfe9f6d, 0xfecf92, 0xfcfdbf});
// Diverging: cool-warm endpoints around a neutral light grey, symmetric in lightness.
const ColormapTable kDiverging = build({0x3b4cc0, 0xdddddd, 0xb40426});

}  // namespace

std::vector<std::string> colormap_names() { return {"viridis", "magma", "diverging"}; }

bool is_colormap(const std::string& name) {
    const auto names = colormap_names();
    return std::find(names.begin(), names.end(), name) != names.end();
}

const ColormapTable& colormap_table(const std::string& name) {
    if (name == "magma") return kMagma;
    if (name == "diverging") return kDiverging;
    assert(name == "viridis" && "unknown colormap");
    return kViridis;
}

Rgba colormap_sample(const std::string& name, double t) {
    if (!std::isfinite(t)) t = 0;
    const int i = int(std::lround(std::clamp(t, 0.0, 1.0) * 255));
    const auto& c = colormap_table(name)[i];
    return {c[0] / 255.f, c[1] / 255.f, c[2] / 255.f, 1.f};
}

double cielab_lightness(const Rgba& c) { return to_lab(c.r, c.g, c.b).L; }

}  // namespace xl

namespace xl {

void heatmap_range(const Heatmap& h, double& lo, double& hi) {
    lo = INFINITY;
    hi = -INFINITY;
    for (float v : h.values) {
        if (!std::isfinite(v) || (h.log_scale && v <= 0)) continue;
        const double u = h.log_scale ? std::log10(double(v)) : double(v);
        lo = std::min(lo, u);
        hi = std::max(hi, u);
    }
    if (std::isfinite(h.vmin)) lo = h.log_scale ? std::log10(std::max(h.vmin, 1e-300)) : h.vmin;
    if (std::isfinite(h.vmax)) hi = h.log_scale ? std::log10(std::max(h.vmax, 1e-300)) : h.vmax;
    if (!(lo <= hi)) { lo = 0; hi = 1; }
    if (h.colormap == "diverging" && !h.log_scale && !std::isfinite(h.vmin) && !std::isfinite(h.vmax)) {
        const double m = std::max(std::fabs(lo), std::fabs(hi));
        lo = -m;
        hi = m;
    }
    if (hi == lo) hi = lo + 1;
}

std::vector<uint8_t> heatmap_rgba(const Heatmap& h) {
    double lo, hi;
    heatmap_range(h, lo, hi);
    const ColormapTable& table = colormap_table(is_colormap(h.colormap) ? h.colormap : "viridis");
    std::vector<uint8_t> out(size_t(h.rows) * h.cols * 4, 0);
    for (size_t i = 0; i < size_t(h.rows) * h.cols && i < h.values.size(); ++i) {
        const float v = h.values[i];
        if (!std::isfinite(v) || (h.log_scale && v <= 0)) continue;
        const double u = h.log_scale ? std::log10(double(v)) : double(v);
        const int k = int(std::lround(std::clamp((u - lo) / (hi - lo), 0.0, 1.0) * 255));
        out[4 * i + 0] = table[k][0];
        out[4 * i + 1] = table[k][1];
        out[4 * i + 2] = table[k][2];
        out[4 * i + 3] = 255;
    }
    return out;
}

}  // namespace xl
