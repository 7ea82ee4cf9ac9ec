#include "app/plot_draw.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "app/heatmap_textures.hpp"
#include "core/io/colormap.hpp"
#include "core/io/ticks.hpp"

namespace xl {

namespace {

constexpr float kLeft = 58, kBottom = 34, kTop = 6, kRight = 12, kColorbar = 76;

ImU32 col(const Rgba& c, float alpha_mul = 1.f) {
    // Very dark colours (black series) are lifted so they stay visible on the dark theme.
    float r = c.r, g = c.g, b = c.b;
    if (0.2126f * r + 0.7152f * g + 0.0722f * b < 0.15f) r = g = b = 0.85f;
    return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, c.a * alpha_mul));
}

float fwd(double v, bool log) { return float(log ? std::log10(v) : v); }

// Dashes follow the polyline with one continuous phase, so a dense series costs one polyline
// per dash instead of one line per segment.
void dashed_polyline(ImDrawList* dl, const ImVec2* pts, size_t n, ImU32 c, float w, LineStyle st) {
    const float on = st == LineStyle::Dashed ? 6.f : 1.5f, off = st == LineStyle::Dashed ? 4.f : 3.f;
    std::vector<ImVec2> piece;
    if (n) piece.push_back(pts[0]);
    bool drawing = true;
    float phase = 0;
    for (size_t k = 1; k < n; ++k) {
        const ImVec2 a = pts[k - 1], b = pts[k];
        const float len = std::hypot(b.x - a.x, b.y - a.y);
        for (float t = 0; t < len;) {
            const float step = std::min((drawing ? on : off) - phase, len - t);
            t += step;
            phase += step;
            const ImVec2 p(a.x + (b.x - a.x) * t / len, a.y + (b.y - a.y) * t / len);
            if (drawing) piece.push_back(p);
            if (phase >= (drawing ? on : off) - 1e-3f) {
                if (drawing && piece.size() >= 2) dl->AddPolyline(piece.data(), int(piece.size()), c, 0, w);
                piece.assign(1, p);
                drawing = !drawing;
                phase = 0;
            }
        }
    }
    if (drawing && piece.size() >= 2) dl->AddPolyline(piece.data(), int(piece.size()), c, 0, w);
}

// More points than pixel columns: keep the first, lowest, highest and last point of each
// column (in their order), which draws the same picture with a few vertices per column.
std::vector<ImVec2> decimate(const std::vector<ImVec2>& run) {
    if (run.size() < 8 || float(run.size()) < 2.f * (std::fabs(run.back().x - run.front().x) + 1.f)) return run;
    std::vector<ImVec2> out;
    size_t start = 0;
    while (start < run.size()) {
        const int column = int(std::floor(run[start].x));
        size_t end = start, lo = start, hi = start;
        while (end < run.size() && int(std::floor(run[end].x)) == column) {
            if (run[end].y < run[lo].y) lo = end;
            if (run[end].y > run[hi].y) hi = end;
            ++end;
        }
        size_t keep[4] = {start, std::min(lo, hi), std::max(lo, hi), end - 1};
        for (size_t i = 0; i < 4; ++i)
            if (i == 0 || keep[i] != keep[i - 1]) out.push_back(run[keep[i]]);
        start = end;
    }
    return out;
}

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 c, float w, LineStyle st) {
    if (st == LineStyle::Solid) { dl->AddLine(a, b, c, w); return; }
    const ImVec2 pts[2] = {a, b};
    dashed_polyline(dl, pts, 2, c, w, st);
}

void draw_series(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    for (size_t i = 0; i < f.series.size(); ++i) {
        const Series& s = f.series[i];
        const ImU32 c = col(f.series_color(i));
        const float w = std::max(1.f, s.width_pt * 1.2f);
        std::vector<ImVec2> run;
        auto flush = [&] {
            const std::vector<ImVec2> pts = decimate(run);
            // A dense curve (more than one point per 3 px) is drawn without anti-aliasing: the
            // fringe triangles cost a software renderer more than the whole curve, and show no
            // difference at that density.
            const bool dense = pts.size() >= 2 && float(pts.size()) * 3.f > std::fabs(pts.back().x - pts.front().x);
            const ImDrawListFlags flags = dl->Flags;
            if (dense) dl->Flags &= ~ImDrawListFlags_AntiAliasedLines;
            if (pts.size() >= 2 && s.style == LineStyle::Solid) dl->AddPolyline(pts.data(), int(pts.size()), c, 0, w);
            else if (pts.size() >= 2) dashed_polyline(dl, pts.data(), pts.size(), c, w, s.style);
            dl->Flags = flags;
            run.clear();
        };
        const size_t n = std::min(s.x.size(), s.y.size());
        for (size_t k = 0; k < n; ++k) {
            const bool ok = std::isfinite(s.x[k]) && std::isfinite(s.y[k]) && (!a.xlog || s.x[k] > 0) && (!a.ylog || s.y[k] > 0);
            if (!ok) { flush(); continue; }
            const ImVec2 p(a.sx(s.x[k]), a.sy(s.y[k]));
            if (s.markers) dl->AddCircleFilled(p, w + 1.5f, c);
            run.push_back(p);
        }
        flush();
    }
}

void draw_bands(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    for (const Band& b : f.bands) {
        Rgba c = b.color.a > 0 ? b.color : f.series_color(b.series_index < 0 ? 0 : size_t(b.series_index));
        c.a = b.opacity * 1.5f;
        const ImU32 u = col(c);
        const size_t n = std::min({b.x.size(), b.lo.size(), b.hi.size()});
        for (size_t k = 0; k + 1 < n; ++k) {  // one convex quad per segment
            const ImVec2 q[4] = {{a.sx(b.x[k]), a.sy(b.lo[k])}, {a.sx(b.x[k + 1]), a.sy(b.lo[k + 1])},
                                 {a.sx(b.x[k + 1]), a.sy(b.hi[k + 1])}, {a.sx(b.x[k]), a.sy(b.hi[k])}};
            bool ok = true;
            for (const ImVec2& p : q) ok &= std::isfinite(p.x) && std::isfinite(p.y);
            if (ok) dl->AddQuadFilled(q[0], q[1], q[2], q[3], u);
        }
    }
}

void draw_heatmap(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    const Heatmap& h = *f.heatmap;
    if (h.rows <= 0 || h.cols <= 0) return;
    // A GPU texture covering the heatmap's whole extent; the plot's clip rectangle crops it.
    if (!a.xlog && !a.ylog &&
        draw_heatmap_texture(dl, h, ImVec2(a.sx(h.x0), a.sy(h.y0)), ImVec2(a.sx(h.x1), a.sy(h.y1)), 0, float(h.cols), 0, float(h.rows)))
        return;
    const std::vector<uint8_t> px = heatmap_rgba(h);  // no renderer (or log axes): one rectangle per cell
    const double cw = (h.x1 - h.x0) / h.cols, ch = (h.y1 - h.y0) / h.rows;
    const int c0 = std::max(0, int(std::floor((a.x0 - h.x0) / cw))), c1 = std::min(h.cols, int(std::ceil((a.x1 - h.x0) / cw)));
    const int r0 = std::max(0, int(std::floor((a.y0 - h.y0) / ch))), r1 = std::min(h.rows, int(std::ceil((a.y1 - h.y0) / ch)));
    for (int r = r0; r < r1; ++r) {
        const int row = h.y_down ? r : r;  // row r covers [y0 + r·ch, y0 + (r+1)·ch]
        const float ya = a.sy(h.y0 + r * ch), yb = a.sy(h.y0 + (r + 1) * ch);
        for (int c = c0; c < c1; ++c) {
            const uint8_t* p = &px[(size_t(row) * h.cols + c) * 4];
            if (!p[3]) continue;
            dl->AddRectFilled(ImVec2(a.sx(h.x0 + c * cw), std::min(ya, yb)), ImVec2(a.sx(h.x0 + (c + 1) * cw) + 0.5f, std::max(ya, yb) + 0.5f),
                              IM_COL32(p[0], p[1], p[2], 255));
        }
    }
}

void draw_colorbar(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    const Heatmap& h = *f.heatmap;
    double lo, hi;
    heatmap_range(h, lo, hi);
    const float x = a.max.x + 10, w = 12;
    const ColormapTable& t = colormap_table(is_colormap(h.colormap) ? h.colormap : "viridis");
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        const auto& c = t[size_t(255 * (steps - 1 - i) / (steps - 1))];
        const float y0 = a.min.y + a.rect_h() * i / steps, y1 = a.min.y + a.rect_h() * (i + 1) / steps;
        dl->AddRectFilled(ImVec2(x, y0), ImVec2(x + w, y1 + 0.5f), IM_COL32(c[0], c[1], c[2], 255));
    }
    dl->AddRect(ImVec2(x, a.min.y), ImVec2(x + w, a.max.y), ImGui::GetColorU32(ImGuiCol_Border));
    const auto ticks = h.log_scale ? make_ticks(std::pow(10, lo), std::pow(10, hi), AxisScale::Log, 4) : make_ticks(lo, hi, AxisScale::Linear, 4);
    for (const Tick& k : ticks) {
        if (!k.major) continue;
        const double u = ((h.log_scale ? std::log10(k.value) : k.value) - lo) / (hi - lo);
        const float y = a.max.y - float(u) * a.rect_h();
        dl->AddLine(ImVec2(x + w, y), ImVec2(x + w + 3, y), ImGui::GetColorU32(ImGuiCol_Text));
        dl->AddText(ImVec2(x + w + 5, y - ImGui::GetFontSize() / 2), ImGui::GetColorU32(ImGuiCol_Text), k.label.c_str());
    }
}

void draw_axes(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), grid = IM_COL32(255, 255, 255, 28);
    const float fs = ImGui::GetFontSize();
    float last_right = -1e9f;
    for (const Tick& t : make_ticks(a.x0, a.x1, f.x.scale, std::max(2, int(a.rect_w() / 90)), f.x.ticks)) {
        const float x = a.sx(t.value);
        if (t.major && !f.heatmap) dl->AddLine(ImVec2(x, a.min.y), ImVec2(x, a.max.y), grid);
        dl->AddLine(ImVec2(x, a.max.y), ImVec2(x, a.max.y + (t.major ? 4 : 2)), text);
        const float tw = ImGui::CalcTextSize(t.label.c_str()).x;
        if (t.major && x - tw / 2 > last_right + 4) {  // skip labels that would overlap
            dl->AddText(ImVec2(x - tw / 2, a.max.y + 5), text, t.label.c_str());
            last_right = x + tw / 2;
        }
    }
    for (const Tick& t : make_ticks(a.y0, a.y1, f.y.scale, std::max(2, int(a.rect_h() / 50)), f.y.ticks)) {
        const float y = a.sy(t.value);
        if (t.major && !f.heatmap) dl->AddLine(ImVec2(a.min.x, y), ImVec2(a.max.x, y), grid);
        dl->AddLine(ImVec2(a.min.x - (t.major ? 4 : 2), y), ImVec2(a.min.x, y), text);
        if (t.major) {
            const float tw = ImGui::CalcTextSize(t.label.c_str()).x;
            dl->AddText(ImVec2(a.min.x - 6 - tw, y - fs / 2), text, t.label.c_str());
        }
    }
    dl->AddRect(a.min, a.max, ImGui::GetColorU32(ImGuiCol_Border));
    const std::string xt = f.x.title() + (f.x.scale == AxisScale::Log ? "  [log]" : "");
    dl->AddText(ImVec2((a.min.x + a.max.x - ImGui::CalcTextSize(xt.c_str()).x) / 2, a.max.y + fs + 8), text, xt.c_str());
    const std::string yt = f.y.title() + (f.y.scale == AxisScale::Log ? "  [log]" : "");
    dl->AddText(ImVec2(a.min.x + 4, a.min.y + 2), IM_COL32(200, 200, 200, 160), yt.c_str());
}

void draw_markers(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    for (const Marker& m : f.markers) {
        const ImU32 c = col(m.color.r + m.color.g + m.color.b > 2.5f ? m.color : Rgba{0.85f, 0.85f, 0.6f, 0.9f});
        if (m.kind == MarkerKind::Vertical) {
            if (a.xlog && m.value <= 0) continue;
            const float x = a.sx(m.value);
            if (x < a.min.x || x > a.max.x) continue;
            dashed_line(dl, ImVec2(x, a.min.y), ImVec2(x, a.max.y), c, 1.2f, m.style);
            if (!m.label.empty()) dl->AddText(ImVec2(x + 3, a.min.y + ImGui::GetFontSize() + 4), c, m.label.c_str());
        } else {
            if (a.ylog && m.value <= 0) continue;
            const float y = a.sy(m.value);
            if (y < a.min.y || y > a.max.y) continue;
            dashed_line(dl, ImVec2(a.min.x, y), ImVec2(a.max.x, y), c, 1.2f, m.style);
            if (!m.label.empty()) dl->AddText(ImVec2(a.min.x + 60, y - ImGui::GetFontSize() - 1), c, m.label.c_str());
        }
    }
}

void draw_legend(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    if (!f.legend) return;
    struct Entry {
        std::string name;
        ImU32 colour;
        LineStyle style;
    };
    std::vector<Entry> e;
    for (size_t i = 0; i < f.series.size(); ++i)
        if (f.series[i].legend && !f.series[i].name.empty()) e.push_back({legend_label(f.series[i].name), col(f.series_color(i)), f.series[i].style});
    if (e.empty()) return;
    float tw = 0;
    for (const Entry& x : e) tw = std::max(tw, ImGui::CalcTextSize(x.name.c_str()).x);
    const float row = ImGui::GetFontSize() + 2;
    const ImVec2 p(a.max.x - tw - 34, a.min.y + 4);
    dl->AddRectFilled(p, ImVec2(a.max.x - 4, p.y + row * e.size() + 6), IM_COL32(20, 20, 24, 210), 3);
    for (size_t i = 0; i < e.size(); ++i) {
        const float y = p.y + 3 + row * i + row / 2;
        dashed_line(dl, ImVec2(p.x + 5, y), ImVec2(p.x + 21, y), e[i].colour, 2.5f, e[i].style);
        dl->AddText(ImVec2(p.x + 26, y - row / 2 + 1), ImGui::GetColorU32(ImGuiCol_Text), e[i].name.c_str());
    }
}

void hover_readout(ImDrawList* dl, const FigureSpec& f, const PlotArea& a) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    if (m.x < a.min.x || m.x > a.max.x || m.y < a.min.y || m.y > a.max.y) return;
    dl->AddLine(ImVec2(m.x, a.min.y), ImVec2(m.x, a.max.y), IM_COL32(255, 255, 255, 60));
    std::string text = f.x.label + " = " + format_value(a.data_x(m.x)) + "\n";
    if (f.heatmap) {
        const Heatmap& h = *f.heatmap;
        const int c = int(std::floor((a.data_x(m.x) - h.x0) / (h.x1 - h.x0) * h.cols));
        const int r = int(std::floor((a.data_y(m.y) - h.y0) / (h.y1 - h.y0) * h.rows));
        text += f.y.label + " = " + format_value(a.data_y(m.y)) + "\n";
        if (r >= 0 && r < h.rows && c >= 0 && c < h.cols) {
            const float value = h.values[size_t(r) * h.cols + c];
            text += (h.colorbar_label.empty() ? std::string("value") : h.colorbar_label) + " = " +
                    (std::isfinite(value) ? format_value(value) : std::string("masked"));
        }
    }
    for (size_t i = 0; i < f.series.size(); ++i) {
        const Series& s = f.series[i];
        double best = 1e30, bx = 0, by = 0;
        for (size_t k = 0; k < std::min(s.x.size(), s.y.size()); ++k) {
            if (!std::isfinite(s.y[k]) || (a.ylog && s.y[k] <= 0) || (a.xlog && s.x[k] <= 0)) continue;
            const double d = std::fabs(a.sx(s.x[k]) - m.x);
            if (d < best) { best = d; bx = s.x[k]; by = s.y[k]; }
        }
        if (best > 40) continue;
        dl->AddCircle(ImVec2(a.sx(bx), a.sy(by)), 4, col(f.series_color(i)), 12, 2);
        text += s.name + ": " + format_value(by) + "  (at " + format_value(bx) + ")\n";
    }
    ImGui::SetTooltip("%s", text.c_str());
}

}  // namespace

float PlotArea::sx(double v) const {
    const float u = (fwd(v, xlog) - fwd(x0, xlog)) / (fwd(x1, xlog) - fwd(x0, xlog));
    return min.x + u * rect_w();
}
float PlotArea::sy(double v) const {
    float u = (fwd(v, ylog) - fwd(y0, ylog)) / (fwd(y1, ylog) - fwd(y0, ylog));
    if (y_inverted) u = 1 - u;
    return max.y - u * rect_h();
}
double PlotArea::data_x(float px) const {
    const double u = (px - min.x) / rect_w();
    const double v = fwd(x0, xlog) + u * (fwd(x1, xlog) - fwd(x0, xlog));
    return xlog ? std::pow(10.0, v) : v;
}
double PlotArea::data_y(float py) const {
    double u = (max.y - py) / rect_h();
    if (y_inverted) u = 1 - u;
    const double v = fwd(y0, ylog) + u * (fwd(y1, ylog) - fwd(y0, ylog));
    return ylog ? std::pow(10.0, v) : v;
}

PlotArea make_plot_area(const FigureSpec& f, const PlotView& pv, ImVec2 pos, ImVec2 size) {
    PlotArea a;
    a.frame_min = pos;
    a.frame_max = ImVec2(pos.x + size.x, pos.y + size.y);
    a.min = ImVec2(pos.x + kLeft, pos.y + kTop);
    a.max = ImVec2(pos.x + size.x - kRight - (f.heatmap ? kColorbar : 0), pos.y + size.y - kBottom);
    a.xlog = f.x.scale == AxisScale::Log;
    a.ylog = f.y.scale == AxisScale::Log;
    a.y_inverted = f.heatmap && f.heatmap->y_down;
    if (pv.fit) {
        axis_range(f, true, a.x0, a.x1);
        axis_range(f, false, a.y0, a.y1);
    } else {
        a.x0 = pv.x0; a.x1 = pv.x1; a.y0 = pv.y0; a.y1 = pv.y1;
    }
    return a;
}

void draw_plot(const FigureSpec& f, const PlotArea& a, bool hovered) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(a.min, a.max, IM_COL32(16, 16, 20, 255));
    dl->PushClipRect(a.min, a.max, true);
    if (f.heatmap) draw_heatmap(dl, f, a);
    dl->PopClipRect();
    draw_axes(dl, f, a);
    dl->PushClipRect(a.min, a.max, true);
    draw_bands(dl, f, a);
    draw_series(dl, f, a);
    draw_markers(dl, f, a);
    dl->PopClipRect();
    if (f.heatmap) draw_colorbar(dl, f, a);
    draw_legend(dl, f, a);
    if (hovered) hover_readout(dl, f, a);
}

}  // namespace xl
