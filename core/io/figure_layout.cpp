// FigureSpec -> Scene: margins from measured text, ticks, grid, bands, series, markers, legend,
// heatmap image and colour bar. All lengths in points.
#include <algorithm>
#include <cmath>

#include "core/io/colormap.hpp"
#include "core/io/font.hpp"
#include "core/io/scene.hpp"
#include "core/io/ticks.hpp"

namespace xl {
Scene layout_figure_pass(const FigureSpec& f, bool legend_outside);
namespace {

const Rgba kInk = {0.1f, 0.1f, 0.1f, 1};
const Rgba kGrid = {0.88f, 0.88f, 0.88f, 1};

struct Mapper {
    RectF plot;
    double x0, x1, y0, y1;
    bool xlog, ylog, y_inverted;
    double tx(double v) const {
        const double u = xlog ? (std::log10(v) - std::log10(x0)) / (std::log10(x1) - std::log10(x0)) : (v - x0) / (x1 - x0);
        return plot.x + u * plot.w;
    }
    double ty(double v) const {
        double u = ylog ? (std::log10(v) - std::log10(y0)) / (std::log10(y1) - std::log10(y0)) : (v - y0) / (y1 - y0);
        if (y_inverted) u = 1 - u;
        return plot.y + plot.h * (1 - u);
    }
    bool valid_x(double v) const { return std::isfinite(v) && (!xlog || v > 0); }
    bool valid_y(double v) const { return std::isfinite(v) && (!ylog || v > 0); }
};

struct Ctx {
    const FigureSpec& f;
    std::shared_ptr<const FontFace> font;
    Scene& scene;
    double fs;
    double width(const std::string& s, double size) const { return font->text_width(s, size); }
    void text(double x, double y, const std::string& s, double size, int anchor, bool vertical = false, bool bold = false) {
        scene.items.push_back(SceneText{float(x), float(y), s, float(size), anchor, vertical, bold, kInk});
    }
    void line(double xa, double ya, double xb, double yb, Rgba c, double w, const char* group,
              LineStyle st = LineStyle::Solid, bool clip = false) {
        ScenePath p;
        p.points = {{float(xa), float(ya)}, {float(xb), float(yb)}};
        p.stroke = c; p.width = float(w); p.style = st; p.clip = clip; p.group = group;
        scene.items.push_back(std::move(p));
    }
    void rect(RectF r, Rgba fill, Rgba stroke, double w, const char* group) {
        ScenePath p;
        p.points = {{r.x, r.y}, {r.x + r.w, r.y}, {r.x + r.w, r.y + r.h}, {r.x, r.y + r.h}, {r.x, r.y}};
        p.fill = fill; p.stroke = stroke; p.width = float(w); p.group = group;
        scene.items.push_back(std::move(p));
    }
};

void add_series(Ctx& c, const Mapper& m) {
    for (size_t i = 0; i < c.f.series.size(); ++i) {
        const Series& s = c.f.series[i];
        const Rgba col = c.f.series_color(i);
        ScenePath cur;
        auto flush = [&] {
            if (cur.points.size() >= 2 || (s.markers && !cur.points.empty())) c.scene.items.push_back(cur);
            cur.points.clear();
        };
        cur.stroke = col; cur.width = s.width_pt; cur.style = s.style; cur.clip = true;
        cur.group = "series"; cur.name = s.name;
        for (size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
            if (!m.valid_x(s.x[k]) || !m.valid_y(s.y[k])) { flush(); continue; }
            cur.points.push_back({float(m.tx(s.x[k])), float(m.ty(s.y[k]))});
        }
        flush();
        if (!s.markers) continue;
        for (size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
            if (!m.valid_x(s.x[k]) || !m.valid_y(s.y[k])) continue;
            ScenePath dot;
            const double cx = m.tx(s.x[k]), cy = m.ty(s.y[k]), r = 1.1 * s.width_pt + 0.6;
            for (int a = 0; a <= 12; ++a)
                dot.points.push_back({float(cx + r * std::cos(a * M_PI / 6)), float(cy + r * std::sin(a * M_PI / 6))});
            dot.fill = col; dot.clip = true; dot.group = "marker-dot"; dot.name = s.name;
            c.scene.items.push_back(std::move(dot));
        }
    }
}

void add_bands(Ctx& c, const Mapper& m) {
    for (const Band& b : c.f.bands) {
        Rgba col = b.color.a > 0 ? b.color : c.f.series_color(b.series_index < 0 ? 0 : size_t(b.series_index));
        col.a = b.opacity;
        ScenePath p;
        const size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
        for (size_t k = 0; k < n; ++k)
            if (m.valid_x(b.x[k]) && m.valid_y(b.hi[k])) p.points.push_back({float(m.tx(b.x[k])), float(m.ty(b.hi[k]))});
        for (size_t k = n; k-- > 0;)
            if (m.valid_x(b.x[k]) && m.valid_y(b.lo[k])) p.points.push_back({float(m.tx(b.x[k])), float(m.ty(b.lo[k]))});
        if (p.points.size() < 3) continue;
        p.fill = col; p.clip = true; p.group = "band"; p.name = b.name;
        c.scene.items.push_back(std::move(p));
    }
}

void add_markers(Ctx& c, const Mapper& m) {
    const RectF& pl = c.scene.plot;
    for (const Marker& mk : c.f.markers) {
        if (mk.kind == MarkerKind::Vertical) {
            if (!m.valid_x(mk.value)) continue;
            const double x = m.tx(mk.value);
            if (x < pl.x - 0.01 || x > pl.x + pl.w + 0.01) continue;
            c.line(x, pl.y, x, pl.y + pl.h, mk.color, 0.8, "marker", mk.style, true);
            if (mk.label.empty()) continue;
            const double size = 0.85 * c.fs, w = c.width(mk.label, size);
            const bool right = x + 2 + w < pl.x + pl.w;
            c.scene.items.push_back(SceneText{float(right ? x + 2 : x - 2), float(pl.y + size + 1), mk.label,
                                              float(size), right ? -1 : 1, false, false, mk.color});
        } else {
            if (!m.valid_y(mk.value)) continue;
            const double y = m.ty(mk.value);
            if (y < pl.y - 0.01 || y > pl.y + pl.h + 0.01) continue;
            c.line(pl.x, y, pl.x + pl.w, y, mk.color, 0.8, "marker", mk.style, true);
            if (!mk.label.empty())
                c.scene.items.push_back(SceneText{float(pl.x + 3), float(y - 2), mk.label, float(0.85 * c.fs), -1,
                                                  false, false, mk.color});
        }
    }
}

// Returns false when every corner inside the plot would cover data (the caller then re-lays out
// with the legend below the plot).
bool add_legend(Ctx& c, bool outside) {
    struct Entry { std::string name; Rgba color; bool band; LineStyle style; };
    std::vector<Entry> e;
    for (size_t i = 0; i < c.f.series.size(); ++i)
        if (c.f.series[i].legend && !c.f.series[i].name.empty())
            e.push_back({legend_label(c.f.series[i].name), c.f.series_color(i), false, c.f.series[i].style});
    for (const Band& b : c.f.bands)
        if (!b.name.empty()) {
            Rgba col = b.color.a > 0 ? b.color : c.f.series_color(b.series_index < 0 ? 0 : size_t(b.series_index));
            col.a = b.opacity;
            e.push_back({legend_label(b.name), col, true, LineStyle::Solid});
        }
    if (!c.f.legend || e.empty()) return true;
    const double size = 0.9 * c.fs, row = 1.3 * size, sample = 12;
    double tw = 0;
    for (const Entry& x : e) tw = std::max(tw, c.width(x.name, size));
    const RectF& pl = c.scene.plot;
    const float bw = float(sample + tw + 10), bh = float(row * e.size() + 4);
    // The corner whose box covers the fewest drawn points and marker labels (top-right first).
    const RectF corners[4] = {{pl.x + pl.w - bw - 3, pl.y + 3, bw, bh}, {pl.x + 3, pl.y + 3, bw, bh},
                              {pl.x + pl.w - bw - 3, pl.y + pl.h - bh - 3, bw, bh}, {pl.x + 3, pl.y + pl.h - bh - 3, bw, bh}};
    RectF box = corners[0];
    int best = 1 << 30;
    for (const RectF& r : corners) {
        int hits = 0;
        auto inside = [&](float x, float y) { return x >= r.x - 2 && x <= r.x + r.w + 2 && y >= r.y - 2 && y <= r.y + r.h + 2; };
        for (const SceneItem& it : c.scene.items) {
            if (auto* p = std::get_if<ScenePath>(&it)) {
                if (p->group != "series" && p->group != "band" && p->group != "marker-dot") continue;
                for (const PointF& q : p->points) hits += inside(q.x, q.y);
                for (size_t k = 0; k + 1 < p->points.size(); ++k)  // segment midpoints catch long lines
                    hits += inside(0.5f * (p->points[k].x + p->points[k + 1].x), 0.5f * (p->points[k].y + p->points[k + 1].y));
            } else if (auto* t = std::get_if<SceneText>(&it)) {
                if (t->y < pl.y + pl.h && t->y > pl.y) hits += 3 * inside(t->x, t->y);
            }
        }
        if (hits < best) { best = hits; box = r; }
    }
    int cols = 1;
    if (outside) {  // below the axis title, in as many columns as fit the figure width
        const float cw = bw + 6;
        cols = std::max(1, int((c.scene.width - 8) / cw));
        const int rows = int((e.size() + cols - 1) / cols);
        box = {4, float(c.scene.height - rows * row - 6), std::min(float(cols), float(e.size())) * cw, float(rows * row + 4)};
    } else if (best > 0) {
        return false;
    }
    if (!outside) c.rect(box, {1, 1, 1, 0.85f}, {0.7f, 0.7f, 0.7f, 1}, 0.5, "legend");
    for (size_t i = 0; i < e.size(); ++i) {
        const double x = box.x + (i % cols) * (bw + 6);
        const double cy = box.y + 2 + row * (double(i / cols) + 0.5);
        if (e[i].band) c.rect({float(x + 3), float(cy - 3), float(sample), 6.f}, e[i].color, {0, 0, 0, 0}, 0, "legend");
        else c.line(x + 3, cy, x + 3 + sample, cy, e[i].color, 1.5, "legend", e[i].style);
        c.text(x + 6 + sample, cy + 0.35 * size, e[i].name, size, -1);
    }
    return true;
}

// Height of the legend laid out below the plot (same column rule as add_legend).
double legend_height(const FigureSpec& f, const FontFace& font) {
    double tw = 0;
    int n = 0;
    for (const Series& s : f.series)
        if (s.legend && !s.name.empty()) { tw = std::max(tw, font.text_width(legend_label(s.name), 0.9 * f.font_pt)); ++n; }
    for (const Band& b : f.bands)
        if (!b.name.empty()) { tw = std::max(tw, font.text_width(legend_label(b.name), 0.9 * f.font_pt)); ++n; }
    if (n == 0) return 0;
    const double cw = 12 + tw + 10 + 6;
    const int cols = std::max(1, int((f.width_in * 72 - 8) / cw));
    return ((n + cols - 1) / cols) * 1.3 * 0.9 * f.font_pt + 8;
}

}  // namespace

void add_heatmap_and_colorbar(const FigureSpec& f, Scene& scene, const RectF& plot, double fs, double x_data0,
                              double x_data1, double y_data0, double y_data1, bool xlog, bool ylog);

Scene layout_figure_pass(const FigureSpec& f, bool legend_outside) {
    Scene scene;
    scene.width = float(f.width_in * 72);
    scene.height = float(f.height_in * 72);
    scene.title = f.title;
    scene.font_family = f.font_family;
    for (const auto& [k, v] : f.meta) scene.description += k + ": " + v + "\n";
    Ctx c{f, FontFace::get(f.font_family), scene, f.font_pt};
    double x0, x1, y0, y1;
    axis_range(f, true, x0, x1);
    axis_range(f, false, y0, y1);
    const bool xlog = f.x.scale == AxisScale::Log, ylog = f.y.scale == AxisScale::Log;
    const auto xt = make_ticks(x0, x1, f.x.scale, 5, f.x.ticks);
    const auto yt = make_ticks(y0, y1, f.y.scale, 5, f.y.ticks);
    const double fs = f.font_pt, tick = 3;
    double ytw = 0;
    for (const Tick& t : yt) ytw = std::max(ytw, c.width(t.label, fs));
    const double cbar = f.heatmap ? 8 + 8 + 3 + c.width("-0.000", fs) + (f.heatmap->colorbar_label.empty() ? 0 : 1.4 * fs) : 0;
    const double left = 3 + (f.y.title().empty() ? 0 : 1.4 * fs) + ytw + tick + 3;
    const double right = 0.6 * c.width(xt.empty() ? "" : xt.back().label, fs) + 4 + cbar;
    const double top = (f.title.empty() ? 0.6 * fs : 1.6 * fs) + 3;
    const double bottom = tick + 2 + 1.2 * fs + (f.x.title().empty() ? 0 : 1.4 * fs) + 3 +
                          (legend_outside ? legend_height(f, *c.font) : 0);
    scene.plot = {float(left), float(top), float(std::max(10.0, scene.width - left - right)),
                  float(std::max(10.0, scene.height - top - bottom))};
    const RectF pl = scene.plot;
    const Mapper m{pl, x0, x1, y0, y1, xlog, ylog, f.heatmap && f.heatmap->y_down};

    c.rect({0, 0, scene.width, scene.height}, {1, 1, 1, 1}, {0, 0, 0, 0}, 0, "background");
    if (f.heatmap) add_heatmap_and_colorbar(f, scene, pl, fs, x0, x1, y0, y1, xlog, ylog);
    else {
        for (const Tick& t : xt) if (t.major) c.line(m.tx(t.value), pl.y, m.tx(t.value), pl.y + pl.h, kGrid, 0.4, "grid");
        for (const Tick& t : yt) if (t.major) c.line(pl.x, m.ty(t.value), pl.x + pl.w, m.ty(t.value), kGrid, 0.4, "grid");
    }
    add_bands(c, m);
    add_series(c, m);
    add_markers(c, m);
    c.rect(pl, {0, 0, 0, 0}, kInk, 0.6, "frame");
    double last_right = -1e9;
    for (const Tick& t : xt) {
        const double x = m.tx(t.value), len = t.major ? tick : tick * 0.55;
        c.line(x, pl.y + pl.h, x, pl.y + pl.h + len, kInk, 0.5, "tick");
        const double w = c.width(t.label, fs);
        if (t.major && x - w / 2 > last_right + 2) {  // labels that would overlap are skipped
            c.text(x, pl.y + pl.h + tick + 1 + fs * 0.95, t.label, fs, 0);
            last_right = x + w / 2;
        }
    }
    for (const Tick& t : yt) {
        const double y = m.ty(t.value), len = t.major ? tick : tick * 0.55;
        c.line(pl.x - len, y, pl.x, y, kInk, 0.5, "tick");
        if (t.major) c.text(pl.x - tick - 2, y + 0.35 * fs, t.label, fs, 1);
    }
    if (!f.x.title().empty()) c.text(pl.x + pl.w / 2, pl.y + pl.h + tick + 2 + 2.5 * fs, f.x.title(), fs, 0);
    if (!f.y.title().empty()) c.text(3 + fs, pl.y + pl.h / 2, f.y.title(), fs, 0, true);
    if (!f.title.empty()) c.text(pl.x + pl.w / 2, 1.25 * fs + 1, f.title, 1.1 * fs, 0, false, true);
    if (!add_legend(c, legend_outside)) return layout_figure_pass(f, true);
    return scene;
}

Scene layout_figure(const FigureSpec& f) { return layout_figure_pass(f, false); }

}  // namespace xl
