// Colormaps for heatmaps: viridis and magma (perceptually uniform sequential maps, rebuilt from
// their published 11-stop control points by interpolation in CIELAB) and "diverging", a
// blue - light grey - red map for signed values (cool-warm style endpoints, CIELAB interpolation).
//
//   Rgba c = colormap_sample("viridis", 0.5);              // t in [0,1], clamped
//   const ColormapTable& t = colormap_table("magma");       // 256 RGB8 entries
//   double L = cielab_lightness(c);                         // L* in [0,100]
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/figure_spec.hpp"

namespace xl {

using ColormapTable = std::array<std::array<uint8_t, 3>, 256>;

std::vector<std::string> colormap_names();          // {"viridis", "magma", "diverging"}
bool is_colormap(const std::string& name);
// Unknown names are a programmer error (validated at the preset / UI boundary).
const ColormapTable& colormap_table(const std::string& name);
Rgba colormap_sample(const std::string& name, double t);
double cielab_lightness(const Rgba& c);

}  // namespace xl

namespace xl {

// Colour range of a heatmap: explicit vmin/vmax, else the finite data range (log: of positive
// values, returned as log10); diverging maps are made symmetric around 0.
void heatmap_range(const Heatmap& h, double& lo, double& hi);
// rows*cols*4 RGBA8 pixels, row 0 first; masked (non-finite, or <= 0 on a log scale) cells transparent.
std::vector<uint8_t> heatmap_rgba(const Heatmap& h);

}  // namespace xl
