// The fallback stroke font (stb_easy_font: quads on a ~10-unit em, baseline near unit 7),
// used when no TrueType file is available. ASCII only.
#include <stb/stb_easy_font.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/io/font.hpp"

namespace xl {

namespace {
constexpr double kEmUnits = 10.0;
constexpr double kBaselineUnits = 7.0;
}  // namespace

double builtin_text_width(const std::string& ascii, double em_px) {
    std::string copy = ascii;
    return stb_easy_font_width(copy.data()) * em_px / kEmUnits;
}

GlyphMask builtin_render(const std::string& ascii, double em_px) {
    const double s = em_px / kEmUnits;
    GlyphMask m;
    m.origin_x = 2;
    m.baseline = int(std::ceil(kBaselineUnits * s)) + 1;
    m.width = int(std::ceil(builtin_text_width(ascii, em_px))) + 6;
    m.height = int(std::ceil(kEmUnits * s)) + 3;
    m.coverage.assign(size_t(m.width) * m.height, 0);
    std::string copy = ascii;
    std::vector<char> buf(std::max<size_t>(1024, copy.size() * 300));
    const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, buf.data(), int(buf.size()));
    struct V { float x, y, z; unsigned char c[4]; };
    const V* v = reinterpret_cast<const V*>(buf.data());
    const double oy = m.baseline - kBaselineUnits * s;
    for (int q = 0; q < quads; ++q) {
        double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
        for (int k = 0; k < 4; ++k) {
            x0 = std::min<double>(x0, v[4 * q + k].x); x1 = std::max<double>(x1, v[4 * q + k].x);
            y0 = std::min<double>(y0, v[4 * q + k].y); y1 = std::max<double>(y1, v[4 * q + k].y);
        }
        x0 = x0 * s + m.origin_x; x1 = x1 * s + m.origin_x; y0 = y0 * s + oy; y1 = y1 * s + oy;
        for (int y = std::max(0, int(y0)); y < std::min(m.height, int(std::ceil(y1))); ++y)
            for (int x = std::max(0, int(x0)); x < std::min(m.width, int(std::ceil(x1))); ++x) {
                const double cx = std::max(0.0, std::min(x + 1.0, x1) - std::max<double>(x, x0));
                const double cy = std::max(0.0, std::min(y + 1.0, y1) - std::max<double>(y, y0));
                uint8_t& d = m.coverage[size_t(y) * m.width + x];
                d = uint8_t(std::min(255.0, d + 255.0 * cx * cy));
            }
    }
    return m;
}

}  // namespace xl
