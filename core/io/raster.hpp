// A small anti-aliased rasteriser for figure export (no GPU, no external renderer): strokes with
// exact distance coverage and round joins, polygon fills with 4× vertical supersampling and exact
// horizontal coverage, nearest-neighbour images (crisp heatmap cells) and TrueType text.
//
//   Canvas c = rasterize(layout_figure(spec), /*px per point*/ 300.0 / 72);
//   std::vector<uint8_t> rgba = c.rgba8();
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/scene.hpp"

namespace xl {

class Canvas {
public:
    Canvas(int width, int height, Rgba background = {1, 1, 1, 1});
    int width() const { return w_; }
    int height() const { return h_; }
    void set_clip(const RectF& r);   // pixels; all later drawing is limited to it
    void clear_clip();
    // Polyline in pixels; width in pixels.
    void stroke(const std::vector<PointF>& pts, float width, Rgba color, LineStyle style = LineStyle::Solid);
    void fill(const std::vector<PointF>& polygon, Rgba color);  // even-odd rule
    void image(const RectF& dst, int iw, int ih, const std::vector<uint8_t>& rgba);
    void text(float x, float y, const std::string& utf8, float em_px, int anchor, bool vertical, Rgba color,
              const std::string& family, bool bold = false);
    std::vector<uint8_t> rgba8() const;  // width*height*4, opaque
    Rgba pixel(int x, int y) const;

private:
    void blend(int x, int y, float coverage, const Rgba& c);
    void stroke_solid(const std::vector<PointF>& pts, float width, Rgba color);
    int w_, h_;
    std::vector<float> rgb_;
    int cx0_, cy0_, cx1_, cy1_;      // clip, pixels [x0, x1)
};

Canvas rasterize(const Scene& scene, double px_per_pt);

}  // namespace xl
