#include "core/io/svg_writer.hpp"


#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "core/io/atomic_file.hpp"
#include "core/io/png_writer.hpp"

namespace xl {

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
                else out += c;
        }
    }
    return out;
}

std::string base64_encode(const std::string& bytes) {
    static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 | (unsigned char)bytes[i + 2];
        out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
    }
    if (i + 1 == bytes.size()) {
        const unsigned v = (unsigned char)bytes[i] << 16;
        out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == bytes.size()) {
        const unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
        out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
    }
    return out;
}

namespace {

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    std::string s = b;
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s == "-0" ? "0" : s;
}

std::string color(const Rgba& c) {
    char b[16];
    auto q = [](float v) { return int(std::lround(std::min(1.f, std::max(0.f, v)) * 255)); };
    std::snprintf(b, sizeof b, "#%02x%02x%02x", q(c.r), q(c.g), q(c.b));
    return b;
}

std::string dash(LineStyle s, float w) {
    if (s == LineStyle::Dashed) return " stroke-dasharray=\"" + num(4 * w) + "," + num(2.5 * w) + "\"";
    if (s == LineStyle::Dotted) return " stroke-dasharray=\"" + num(w) + "," + num(1.8 * w) + "\" stroke-linecap=\"round\"";
    return "";
}

void write_path(std::ostream& o, const ScenePath& p) {
    o << "<path";
    if (!p.group.empty()) o << " class=\"" << xml_escape(p.group) << "\"";
    if (!p.name.empty()) o << " data-name=\"" << xml_escape(p.name) << "\"";
    o << " d=\"";
    for (size_t i = 0; i < p.points.size(); ++i) o << (i ? " L" : "M") << num(p.points[i].x) << "," << num(p.points[i].y);
    if (p.fill.a > 0) o << " Z";
    o << "\" fill=\"" << (p.fill.a > 0 ? color(p.fill) : "none") << "\"";
    if (p.fill.a > 0 && p.fill.a < 1) o << " fill-opacity=\"" << num(p.fill.a) << "\"";
    if (p.stroke.a > 0) {
        o << " stroke=\"" << color(p.stroke) << "\" stroke-width=\"" << num(p.width) << "\" stroke-linejoin=\"round\"";
        if (p.stroke.a < 1) o << " stroke-opacity=\"" << num(p.stroke.a) << "\"";
        o << dash(p.style, p.width);
    }
    if (p.clip) o << " clip-path=\"url(#plot)\"";
    o << "/>\n";
}

void write_text(std::ostream& o, const SceneText& t) {
    const char* anchor = t.anchor < 0 ? "start" : t.anchor == 0 ? "middle" : "end";
    o << "<text x=\"" << num(t.x) << "\" y=\"" << num(t.y) << "\" font-size=\"" << num(t.size)
      << "\" text-anchor=\"" << anchor << "\"";
    if (t.bold) o << " font-weight=\"bold\"";
    if (t.color.r + t.color.g + t.color.b > 0.35f) o << " fill=\"" << color(t.color) << "\"";
    if (t.vertical) o << " transform=\"rotate(-90 " << num(t.x) << " " << num(t.y) << ")\"";
    o << ">" << xml_escape(t.text) << "</text>\n";
}

void write_image(std::ostream& o, const SceneImage& im) {
    const std::string b64 = base64_encode(encode_png(im.rgba, im.width, im.height));
    o << "<image x=\"" << num(im.rect.x) << "\" y=\"" << num(im.rect.y) << "\" width=\"" << num(im.rect.w)
      << "\" height=\"" << num(im.rect.h) << "\" preserveAspectRatio=\"none\" image-rendering=\"pixelated\""
      << " style=\"image-rendering:pixelated\"" << (im.clip ? " clip-path=\"url(#plot)\"" : "")
      << " href=\"data:image/png;base64," << b64 << "\"/>\n";
}

}  // namespace

std::string svg_string(const Scene& s, double width_in, double height_in) {
    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" << num(width_in) << "in\" height=\""
      << num(height_in) << "in\" viewBox=\"0 0 " << num(s.width) << " " << num(s.height) << "\">\n";
    if (!s.title.empty()) o << "<title>" << xml_escape(s.title) << "</title>\n";
    if (!s.description.empty()) o << "<desc>" << xml_escape(s.description) << "</desc>\n";
    o << "<defs><clipPath id=\"plot\"><rect x=\"" << num(s.plot.x) << "\" y=\"" << num(s.plot.y) << "\" width=\""
      << num(s.plot.w) << "\" height=\"" << num(s.plot.h) << "\"/></clipPath></defs>\n";
    o << "<g font-family=\"" << xml_escape(s.font_family) << ", "
      << (s.font_family.find("Serif") != std::string::npos ? "Times New Roman, serif"
          : s.font_family.find("Mono") != std::string::npos ? "Courier New, monospace"
                                                             : "Helvetica, Arial, sans-serif")
      << "\" fill=\"#1a1a1a\">\n";
    for (const SceneItem& item : s.items) {
        if (auto* p = std::get_if<ScenePath>(&item)) write_path(o, *p);
        else if (auto* t = std::get_if<SceneText>(&item)) write_text(o, *t);
        else if (auto* im = std::get_if<SceneImage>(&item)) write_image(o, *im);
    }
    o << "</g>\n</svg>\n";
    return o.str();
}

std::string svg_string(const FigureSpec& f) { return svg_string(layout_figure(f), f.width_in, f.height_in); }

void write_svg(const FigureSpec& f, const std::string& path) { write_file_atomic(path, svg_string(f)); }

}  // namespace xl
