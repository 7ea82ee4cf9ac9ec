#include "core/io/csv_writer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

#include "core/io/atomic_file.hpp"
#include "core/io/ticks.hpp"

namespace xl {

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string csv_column_name(const Axis& a, const char* fallback) {
    if (!a.csv_name.empty()) return a.csv_name;
    std::string out;
    for (char c : a.unit.empty() ? a.label : a.label + " " + a.unit) {
        if (std::isalnum(static_cast<unsigned char>(c))) out += char(std::tolower(static_cast<unsigned char>(c)));
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out.empty() ? fallback : out;
}

namespace {

std::string number(double v) { return std::isfinite(v) ? format_value(v, 9) : ""; }

std::string comment(const std::string& s) {  // one line per comment, newlines folded
    std::string out = s;
    for (char& c : out) if (c == '\n' || c == '\r') c = ' ';
    return out;
}

void header(std::ostream& o, const FigureSpec& f) {
    o << "# figure: " << comment(f.id) << "\n";
    if (!f.title.empty()) o << "# title: " << comment(f.title) << "\n";
    o << "# x: " << comment(f.x.title()) << (f.x.scale == AxisScale::Log ? " [log scale]" : "") << "\n";
    o << "# y: " << comment(f.y.title()) << (f.y.scale == AxisScale::Log ? " [log scale]" : "") << "\n";
    for (const auto& [k, v] : f.meta) o << "# " << comment(k) << ": " << comment(v) << "\n";
    for (const Marker& m : f.markers)
        o << "# marker: " << (m.kind == MarkerKind::Vertical ? "x = " : "y = ") << number(m.value)
          << (m.label.empty() ? "" : " (" + comment(m.label) + ")") << "\n";
}

}  // namespace

std::string figure_csv_string(const FigureSpec& f) {
    std::ostringstream o;
    header(o, f);
    const std::string xc = csv_column_name(f.x, "x"), yc = csv_column_name(f.y, "y");
    if (f.heatmap) {
        const Heatmap& h = *f.heatmap;
        o << "# value: " << comment(h.colorbar_label) << " (colormap " << h.colormap << (h.log_scale ? ", log" : "") << ")\n";
        o << "row,col," << xc << "," << yc << ",value\n";
        for (int r = 0; r < h.rows; ++r)
            for (int c = 0; c < h.cols; ++c) {
                const double x = h.x0 + (c + 0.5) * (h.x1 - h.x0) / h.cols;
                const double y = h.y0 + (r + 0.5) * (h.y1 - h.y0) / h.rows;
                o << r << "," << c << "," << number(x) << "," << number(y) << "," << number(h.values[size_t(r) * h.cols + c]) << "\n";
            }
        return o.str();
    }
    o << "series," << xc << "," << yc << "\n";
    for (const Series& s : f.series)
        for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i)
            o << csv_field(s.name) << "," << number(s.x[i]) << "," << number(s.y[i]) << "\n";
    for (const Band& b : f.bands) {
        for (size_t i = 0; i < std::min(b.x.size(), b.lo.size()); ++i)
            o << csv_field(b.name + " (lo)") << "," << number(b.x[i]) << "," << number(b.lo[i]) << "\n";
        for (size_t i = 0; i < std::min(b.x.size(), b.hi.size()); ++i)
            o << csv_field(b.name + " (hi)") << "," << number(b.x[i]) << "," << number(b.hi[i]) << "\n";
    }
    return o.str();
}

void write_figure_csv(const FigureSpec& f, const std::string& path) { write_file_atomic(path, figure_csv_string(f)); }

std::string yarn_csv_string(const PerplexityTable& t) {
    std::ostringstream o;
    for (int L : t.lengths) o << "," << L;
    o << "\n";
    for (const auto& [name, ppl] : t.rows) {
        o << csv_field(name);
        for (size_t i = 0; i < t.lengths.size(); ++i) o << "," << (i < ppl.size() ? number(ppl[i]) : "");
        o << "\n";
    }
    return o.str();
}

void write_yarn_csv(const PerplexityTable& t, const std::string& path) { write_file_atomic(path, yarn_csv_string(t)); }

}  // namespace xl
