// SVG export of a figure: vector paths, real <text> in the figure's font family (with generic
// fallbacks), physical size in inches, heatmaps embedded as PNG images, metadata in <desc>.
//
//   write_svg(spec, "out/ppl_vs_length.svg");
//   std::string text = svg_string(spec);
#pragma once
#include <string>

#include "core/io/figure_spec.hpp"
#include "core/io/scene.hpp"

namespace xl {

std::string svg_string(const FigureSpec& f);
std::string svg_string(const Scene& scene, double width_in, double height_in);
void write_svg(const FigureSpec& f, const std::string& path);
std::string xml_escape(const std::string& s);
std::string base64_encode(const std::string& bytes);

}  // namespace xl
