// PNG export of a figure through the project's rasteriser (raster.hpp) and stb_image_write.
// The pixel size is the physical size × dpi × scale; the file records the resolution (pHYs) so
// that LaTeX and viewers place it at its physical size.
//
//   write_png(spec, "fig.png", /*scale*/ 1);   // 3.5 in at 300 dpi -> 1050 px wide
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/figure_spec.hpp"

namespace xl {

// PNG file bytes of an RGBA8 image; dpi > 0 adds a pHYs chunk.
std::string encode_png(const std::vector<uint8_t>& rgba, int width, int height, double dpi = 0);
void write_png(const FigureSpec& f, const std::string& path, double scale = 1);
// Writes an RGBA8 image (e.g. a screenshot), whole or nothing.
void write_png_image(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height);

}  // namespace xl
