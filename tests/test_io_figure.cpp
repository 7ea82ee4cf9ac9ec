// Figure exporters: SVG well-formed with the expected series and text, PNG decodes at the
// requested size with visible ink, figure CSV columns and comments, YaRN perplexity layout.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <unistd.h>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/csv_writer.hpp"
#include "core/io/png_writer.hpp"
#include "core/io/svg_writer.hpp"
#include "core/io/xml_check.hpp"

namespace {

xl::FigureSpec ppl_figure() {
    xl::FigureSpec f;
    f.id = "ppl_vs_length";
    f.title = "Perplexity vs length <test & check>";
    f.x = {"Evaluation length", "tokens", xl::AxisScale::Log};
    f.y = {"Perplexity", "", xl::AxisScale::Log};
    xl::Series a{"A: none", {256, 512, 1024, 2048}, {6.1, 5.2, 9.5, 40}};
    xl::Series b{"B: yarn:s=4", {256, 512, 1024, 2048}, {6.3, 5.4, 5.3, 5.6}};
    f.series = {a, b};
    f.bands.push_back({"B ±1 s.e.", {256, 512, 1024, 2048}, {6.0, 5.1, 5.0, 5.2}, {6.6, 5.7, 5.6, 6.0}, 1});
    f.markers.push_back({xl::MarkerKind::Vertical, 512, "train 512"});
    f.meta["protocol"] = "all";
    f.meta["convention"] = "hf";
    return f;
}

std::filesystem::path temp_dir() {
    auto d = std::filesystem::temp_directory_path() / ("xl_io_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
}

}  // namespace

TEST_CASE("io: svg export is well-formed XML with every series, real text and the physical size") {
    const xl::FigureSpec f = ppl_figure();
    const std::string svg = xl::svg_string(f);
    std::string why;
    CHECK_MESSAGE(xl::xml_well_formed(svg, &why), why);
    CHECK(svg.find("data-name=\"A: none\"") != std::string::npos);
    CHECK(svg.find("data-name=\"B: yarn:s=4\"") != std::string::npos);
    CHECK(svg.find(">A: none</text>") != std::string::npos);          // legend as real text
    CHECK(svg.find("&lt;test &amp; check&gt;") != std::string::npos);  // escaped title
    CHECK(svg.find("width=\"3.5in\"") != std::string::npos);
    CHECK(svg.find("font-family=\"DejaVu Sans") != std::string::npos);
    CHECK(svg.find("protocol: all") != std::string::npos);              // metadata in <desc>
    CHECK(svg.find(">train 512</text>") != std::string::npos);
    const auto names = xl::xml_element_names(svg);
    CHECK(std::count(names.begin(), names.end(), "text") >= 8);        // ticks, labels, legend, title
}

TEST_CASE("io: xml checker rejects broken documents") {
    CHECK(xl::xml_well_formed("<a><b x=\"1\"/></a>"));
    CHECK_FALSE(xl::xml_well_formed("<a><b></a></b>"));
    CHECK_FALSE(xl::xml_well_formed("<a x=1></a>"));
    CHECK_FALSE(xl::xml_well_formed("<a>fish & chips</a>"));
    CHECK_FALSE(xl::xml_well_formed("<a></a><b></b>"));
    CHECK_FALSE(xl::xml_well_formed("<a x=\"1\" x=\"2\"></a>"));
}

TEST_CASE("io: png export decodes at dpi × size × scale and shows the series colours") {
    xl::FigureSpec f = ppl_figure();
    f.dpi = 100;
    const auto dir = temp_dir();
    const std::string path = (dir / "ppl.png").string();
    xl::write_png(f, path, 2.0);
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(path.c_str(), &w, &h, &n, 4);
    REQUIRE(px != nullptr);
    CHECK(w == int(std::lround(3.5 * 200)));
    CHECK(h == int(std::lround(2.6 * 200)));
    // Count pixels close to series A's colour (Okabe-Ito blue 0072B2) and dark text pixels.
    int blue = 0, dark = 0;
    for (int i = 0; i < w * h; ++i) {
        const unsigned char* p = px + 4 * i;
        if (std::abs(p[0] - 0x00) < 40 && std::abs(p[1] - 0x72) < 40 && std::abs(p[2] - 0xB2) < 40) ++blue;
        if (p[0] < 60 && p[1] < 60 && p[2] < 60) ++dark;
    }
    stbi_image_free(px);
    CHECK(blue > 200);
    CHECK(dark > 500);
    std::filesystem::remove_all(dir);
}

TEST_CASE("io: png records the resolution (pHYs) for its physical size") {
    const std::vector<uint8_t> rgba(4 * 4 * 4, 255);
    const std::string png = xl::encode_png(rgba, 4, 4, 300);
    const size_t p = png.find("pHYs");
    REQUIRE(p != std::string::npos);
    const auto u = [&](size_t o) { return (uint32_t(uint8_t(png[o])) << 24) | (uint8_t(png[o + 1]) << 16) | (uint8_t(png[o + 2]) << 8) | uint8_t(png[o + 3]); };
    CHECK(u(p + 4) == 11811);  // 300 dpi in pixels per metre
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load_from_memory(reinterpret_cast<const unsigned char*>(png.data()), int(png.size()), &w, &h, &n, 4);
    REQUIRE(px != nullptr);  // the inserted chunk keeps the file valid (CRC checked by decoders)
    CHECK(w == 4);
    stbi_image_free(px);
}

TEST_CASE("io: figure csv names protocol and convention and has one row per point") {
    const std::string csv = xl::figure_csv_string(ppl_figure());
    CHECK(csv.find("# protocol: all\n") != std::string::npos);
    CHECK(csv.find("# convention: hf\n") != std::string::npos);
    CHECK(csv.find("# marker: x = 512 (train 512)") != std::string::npos);
    std::istringstream in(csv);
    std::string line, header;
    int rows = 0;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (header.empty()) { header = line; continue; }
        ++rows;
        CHECK(std::count(line.begin(), line.end(), ',') == 2);
    }
    CHECK(header == "series,evaluation_length_tokens,perplexity");
    CHECK(rows == 4 + 4 + 8);  // two series and a band (lo + hi)
}

TEST_CASE("io: heatmap csv has row,col,x,y,value and svg embeds the image with a colour bar") {
    xl::FigureSpec f;
    f.id = "attn";
    f.x = {"Key position", "", xl::AxisScale::Linear};
    f.x.csv_name = "key";
    f.y = {"Query position", "", xl::AxisScale::Linear};
    f.y.csv_name = "query";
    xl::Heatmap h;
    h.rows = 3; h.cols = 3; h.x1 = 3; h.y1 = 3;
    h.values = {1, NAN, NAN, 0.5f, 0.5f, NAN, 0.2f, 0.3f, 0.5f};
    h.colorbar_label = "probability";
    f.heatmap = h;
    const std::string csv = xl::figure_csv_string(f);
    CHECK(csv.find("row,col,key,query,value\n") != std::string::npos);
    CHECK(csv.find("\n2,2,2.5,2.5,0.5\n") != std::string::npos);
    const std::string svg = xl::svg_string(f);
    CHECK(xl::xml_well_formed(svg));
    CHECK(svg.find("<image") != std::string::npos);
    CHECK(svg.find(">probability</text>") != std::string::npos);
}

TEST_CASE("io: yarn layout is ',L1,L2' then one row per configuration") {
    xl::PerplexityTable t{{256, 512}, {{"yarn:s=4,orig=512", {9.5, 8.25}}, {"none", {7.0, NAN}}}};
    CHECK(xl::yarn_csv_string(t) == ",256,512\n\"yarn:s=4,orig=512\",9.5,8.25\nnone,7,\n");
}

TEST_CASE("io: atomic writes leave nothing behind on failure") {
    const auto dir = temp_dir();
    const std::string bad = (dir / "missing_dir" / "x.svg").string();
    CHECK_THROWS_AS(xl::write_svg(ppl_figure(), bad), xl::Error);
    CHECK_FALSE(std::filesystem::exists(bad + ".tmp"));
    std::filesystem::remove_all(dir);
}
