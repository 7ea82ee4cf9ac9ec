#include "core/io/raster.hpp"

#include <algorithm>
#include <cmath>

#include "core/io/font.hpp"

namespace xl {

Canvas::Canvas(int width, int height, Rgba bg) : w_(width), h_(height), rgb_(size_t(width) * height * 3) {
    for (size_t i = 0; i < size_t(w_) * h_; ++i) {
        rgb_[3 * i] = bg.r; rgb_[3 * i + 1] = bg.g; rgb_[3 * i + 2] = bg.b;
    }
    clear_clip();
}

void Canvas::set_clip(const RectF& r) {
    cx0_ = std::clamp(int(std::floor(r.x)), 0, w_);
    cy0_ = std::clamp(int(std::floor(r.y)), 0, h_);
    cx1_ = std::clamp(int(std::ceil(r.x + r.w)), 0, w_);
    cy1_ = std::clamp(int(std::ceil(r.y + r.h)), 0, h_);
}

void Canvas::clear_clip() { cx0_ = 0; cy0_ = 0; cx1_ = w_; cy1_ = h_; }

void Canvas::blend(int x, int y, float cov, const Rgba& c) {
    if (x < cx0_ || y < cy0_ || x >= cx1_ || y >= cy1_) return;
    const float a = std::clamp(cov, 0.f, 1.f) * c.a;
    if (a <= 0) return;
    float* p = &rgb_[(size_t(y) * w_ + x) * 3];
    p[0] += (c.r - p[0]) * a; p[1] += (c.g - p[1]) * a; p[2] += (c.b - p[2]) * a;
}

Rgba Canvas::pixel(int x, int y) const {
    const float* p = &rgb_[(size_t(y) * w_ + x) * 3];
    return {p[0], p[1], p[2], 1};
}

std::vector<uint8_t> Canvas::rgba8() const {
    std::vector<uint8_t> out(size_t(w_) * h_ * 4);
    for (size_t i = 0; i < size_t(w_) * h_; ++i) {
        for (int k = 0; k < 3; ++k) out[4 * i + k] = uint8_t(std::lround(std::clamp(rgb_[3 * i + k], 0.f, 1.f) * 255));
        out[4 * i + 3] = 255;
    }
    return out;
}

namespace {

float seg_distance(float px, float py, PointF a, PointF b) {
    const float dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
    float t = len2 > 0 ? ((px - a.x) * dx + (py - a.y) * dy) / len2 : 0;
    t = std::clamp(t, 0.f, 1.f);
    const float ex = a.x + t * dx - px, ey = a.y + t * dy - py;
    return std::sqrt(ex * ex + ey * ey);
}

// Cuts a polyline into dash pieces of `on` length separated by `off`.
std::vector<std::vector<PointF>> dashes(const std::vector<PointF>& pts, float on, float off) {
    std::vector<std::vector<PointF>> out;
    std::vector<PointF> cur;
    bool drawing = true;
    float left = on;
    for (size_t i = 0; i + 1 < pts.size(); ++i) {
        PointF a = pts[i];
        const PointF b = pts[i + 1];
        float seg = std::hypot(b.x - a.x, b.y - a.y);
        if (drawing && cur.empty()) cur.push_back(a);
        while (seg > left) {
            const float t = left / seg;
            const PointF m{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)};
            if (drawing) { cur.push_back(m); out.push_back(cur); cur.clear(); }
            else cur = {m};
            drawing = !drawing;
            seg -= left;
            a = m;
            left = drawing ? on : off;
        }
        left -= seg;
        if (drawing) cur.push_back(b);
    }
    if (drawing && cur.size() >= 2) out.push_back(cur);
    return out;
}

}  // namespace

void Canvas::stroke(const std::vector<PointF>& pts, float width, Rgba color, LineStyle style) {
    if (pts.size() < 2) return;
    if (style == LineStyle::Solid) return stroke_solid(pts, width, color);
    const float w = std::max(width, 1.f);
    const float on = style == LineStyle::Dashed ? 4 * w : 0.01f, off = style == LineStyle::Dashed ? 2.5f * w : 1.8f * w;
    for (const auto& piece : dashes(pts, on, off)) stroke_solid(piece, width, color);
}

void Canvas::stroke_solid(const std::vector<PointF>& pts, float width, Rgba color) {
    // Thin lines keep a 1 px footprint with reduced opacity (the usual hairline approximation).
    const float hw = std::max(width, 1.f) / 2;
    if (width < 1) color.a *= width;
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (const PointF& p : pts) { x0 = std::min(x0, p.x); y0 = std::min(y0, p.y); x1 = std::max(x1, p.x); y1 = std::max(y1, p.y); }
    const int bx0 = std::max(cx0_, int(std::floor(x0 - hw - 1))), by0 = std::max(cy0_, int(std::floor(y0 - hw - 1)));
    const int bx1 = std::min(cx1_, int(std::ceil(x1 + hw + 1))), by1 = std::min(cy1_, int(std::ceil(y1 + hw + 1)));
    if (bx1 <= bx0 || by1 <= by0) return;
    const int mw = bx1 - bx0;
    std::vector<float> mask(size_t(mw) * (by1 - by0), 0.f);  // max coverage: joins are not double-blended
    for (size_t i = 0; i + 1 < pts.size(); ++i) {
        const PointF a = pts[i], b = pts[i + 1];
        const int sx0 = std::max(bx0, int(std::floor(std::min(a.x, b.x) - hw - 1)));
        const int sx1 = std::min(bx1, int(std::ceil(std::max(a.x, b.x) + hw + 1)));
        const int sy0 = std::max(by0, int(std::floor(std::min(a.y, b.y) - hw - 1)));
        const int sy1 = std::min(by1, int(std::ceil(std::max(a.y, b.y) + hw + 1)));
        for (int y = sy0; y < sy1; ++y)
            for (int x = sx0; x < sx1; ++x) {
                const float cov = std::clamp(hw + 0.5f - seg_distance(x + 0.5f, y + 0.5f, a, b), 0.f, 1.f);
                float& m = mask[size_t(y - by0) * mw + (x - bx0)];
                m = std::max(m, cov);
            }
    }
    for (int y = by0; y < by1; ++y)
        for (int x = bx0; x < bx1; ++x) blend(x, y, mask[size_t(y - by0) * mw + (x - bx0)], color);
}

void Canvas::fill(const std::vector<PointF>& poly, Rgba color) {
    if (poly.size() < 3) return;
    float y0 = 1e30f, y1 = -1e30f, x0 = 1e30f, x1 = -1e30f;
    for (const PointF& p : poly) { y0 = std::min(y0, p.y); y1 = std::max(y1, p.y); x0 = std::min(x0, p.x); x1 = std::max(x1, p.x); }
    const int by0 = std::max(cy0_, int(std::floor(y0))), by1 = std::min(cy1_, int(std::ceil(y1)));
    const int bx0 = std::max(cx0_, int(std::floor(x0))), bx1 = std::min(cx1_, int(std::ceil(x1)));
    if (bx1 <= bx0 || by1 <= by0) return;
    constexpr int kSub = 4;
    std::vector<float> row(size_t(bx1 - bx0) + 1);
    std::vector<float> xs;
    for (int y = by0; y < by1; ++y) {
        std::fill(row.begin(), row.end(), 0.f);
        for (int s = 0; s < kSub; ++s) {
            const float sy = y + (s + 0.5f) / kSub;
            xs.clear();
            for (size_t i = 0; i < poly.size(); ++i) {
                const PointF a = poly[i], b = poly[(i + 1) % poly.size()];
                if ((a.y <= sy) != (b.y <= sy)) xs.push_back(a.x + (sy - a.y) / (b.y - a.y) * (b.x - a.x));
            }
            std::sort(xs.begin(), xs.end());
            for (size_t k = 0; k + 1 < xs.size(); k += 2) {
                const float l = std::max(xs[k], float(bx0)), r = std::min(xs[k + 1], float(bx1));
                for (int x = int(std::floor(l)); x < int(std::ceil(r)); ++x) {
                    const float cov = std::min(r, x + 1.f) - std::max(l, float(x));
                    if (cov > 0) row[x - bx0] += cov / kSub;
                }
            }
        }
        for (int x = bx0; x < bx1; ++x) blend(x, y, row[x - bx0], color);
    }
}

void Canvas::image(const RectF& dst, int iw, int ih, const std::vector<uint8_t>& rgba) {
    if (iw <= 0 || ih <= 0 || dst.w <= 0 || dst.h <= 0) return;
    const int x0 = std::max(cx0_, int(std::floor(dst.x))), x1 = std::min(cx1_, int(std::ceil(dst.x + dst.w)));
    const int y0 = std::max(cy0_, int(std::floor(dst.y))), y1 = std::min(cy1_, int(std::ceil(dst.y + dst.h)));
    for (int y = y0; y < y1; ++y) {
        const float fy = std::min(y + 1.f, dst.y + dst.h) - std::max(float(y), dst.y);
        const int iy = std::clamp(int((y + 0.5f - dst.y) / dst.h * ih), 0, ih - 1);
        for (int x = x0; x < x1; ++x) {
            const float fx = std::min(x + 1.f, dst.x + dst.w) - std::max(float(x), dst.x);
            const int ix = std::clamp(int((x + 0.5f - dst.x) / dst.w * iw), 0, iw - 1);
            const uint8_t* p = &rgba[(size_t(iy) * iw + ix) * 4];
            blend(x, y, std::clamp(fx, 0.f, 1.f) * std::clamp(fy, 0.f, 1.f), {p[0] / 255.f, p[1] / 255.f, p[2] / 255.f, p[3] / 255.f});
        }
    }
}

void Canvas::text(float x, float y, const std::string& utf8, float em_px, int anchor, bool vertical, Rgba color,
                  const std::string& family, bool bold) {
    const auto face = FontFace::get(family, bold);
    const GlyphMask m = face->render(utf8, em_px);
    const float shift = anchor < 0 ? 0.f : float(face->text_width(utf8, em_px)) * (anchor == 0 ? 0.5f : 1.f);
    for (int v = 0; v < m.height; ++v)
        for (int u = 0; u < m.width; ++u) {
            const uint8_t c = m.coverage[size_t(v) * m.width + u];
            if (!c) continue;
            // Offsets from the pen origin on the baseline, along (u) and across (v) the text.
            const float du = u - m.origin_x - shift, dv = float(v - m.baseline);
            const float px = vertical ? x + dv : x + du, py = vertical ? y - du : y + dv;
            blend(int(std::lround(px)), int(std::lround(py)), c / 255.f, color);
        }
}

Canvas rasterize(const Scene& scene, double k) {
    Canvas c(std::max(1, int(std::lround(scene.width * k))), std::max(1, int(std::lround(scene.height * k))));
    const RectF clip{float(scene.plot.x * k), float(scene.plot.y * k), float(scene.plot.w * k), float(scene.plot.h * k)};
    auto scaled = [k](const std::vector<PointF>& pts) {
        std::vector<PointF> out;
        for (const PointF& p : pts) out.push_back({float(p.x * k), float(p.y * k)});
        return out;
    };
    for (const SceneItem& item : scene.items) {
        if (auto* p = std::get_if<ScenePath>(&item)) {
            if (p->clip) c.set_clip(clip); else c.clear_clip();
            if (p->fill.a > 0) c.fill(scaled(p->points), p->fill);
            if (p->stroke.a > 0) c.stroke(scaled(p->points), float(p->width * k), p->stroke, p->style);
        } else if (auto* t = std::get_if<SceneText>(&item)) {
            c.clear_clip();
            c.text(float(t->x * k), float(t->y * k), t->text, float(t->size * k), t->anchor, t->vertical, t->color,
                   scene.font_family, t->bold);
        } else if (auto* im = std::get_if<SceneImage>(&item)) {
            if (im->clip) c.set_clip(clip); else c.clear_clip();
            c.image({float(im->rect.x * k), float(im->rect.y * k), float(im->rect.w * k), float(im->rect.h * k)},
                    im->width, im->height, im->rgba);
        }
    }
    return c;
}

}  // namespace xl
