// GUI tests driven by scripted sessions (app/app_script.hpp) under Xvfb with lavapipe: the app
// opens every shipped preset, computes (lengths capped by `shrink`), renders, and exports each
// figure through File > Export all figures; the SVGs are well-formed with the configurations'
// series, the PNGs decode at the figure's physical size × 300 dpi, the CSVs have their columns.
// Bad input (unknown preset keys, out-of-range values, truncated or foreign model files) opens
// the error dialog and leaves the session as it was.
#include <doctest/doctest.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>

#include "core/io/atomic_file.hpp"
#include "core/io/preset_io.hpp"
#include "core/io/xml_check.hpp"
#include "run_command.hpp"

namespace fs = std::filesystem;

namespace {

CommandRun run_script(const fs::path& dir, const std::string& script) {
    const fs::path file = dir / "script.txt";
    xl::write_file_atomic(file.string(), script);
    return run_command("XL_APP_SCRIPT='" + file.string() + "' XL_STATE_DIR='" + (dir / "state").string() +
                       "' XL_APP_SIZE=1000x700 xvfb-run -a -s '-screen 0 1280x1024x24' '" + XL_CLI_PATH + "'");
}

fs::path temp_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("xl_app_script_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

double svg_inches(const std::string& svg, const std::string& attr) {
    const size_t at = svg.find(" " + attr + "=\"");
    return at == std::string::npos ? 0 : std::atof(svg.c_str() + at + attr.size() + 3);
}

// Checks every exported figure in `dir`; returns how many SVG/PNG/CSV triples it found.
int check_exports(const fs::path& dir, const xl::Session& s) {
    int figures = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".svg") continue;
        ++figures;
        const std::string stem = e.path().stem().string();
        CAPTURE(e.path().string());
        const std::string svg = slurp(e.path());
        std::string why;
        CHECK_MESSAGE(xl::xml_well_formed(svg, &why), why);
        // Line figures name every configuration in their legend (A: <method>...).
        if (stem == "ppl_vs_length" || stem == "position_loss")
            for (size_t i = 0; i < s.configs.size(); ++i)
                CHECK_MESSAGE(svg.find(std::string(1, char('A' + i)) + ": " + s.configs[i].method.substr(0, s.configs[i].method.find(':'))) !=
                                  std::string::npos, "series of configuration " << i);
        // The PNG has the SVG's physical size at 300 dpi.
        int w = 0, h = 0, n = 0;
        unsigned char* px = stbi_load((dir / (stem + ".png")).string().c_str(), &w, &h, &n, 4);
        REQUIRE_MESSAGE(px != nullptr, stem << ".png decodes");
        stbi_image_free(px);
        CHECK(std::abs(w - std::lround(svg_inches(svg, "width") * 300)) <= 1);
        CHECK(std::abs(h - std::lround(svg_inches(svg, "height") * 300)) <= 1);
        // The CSV: metadata comments, a header, and rows with the header's column count.
        std::istringstream csv(slurp(dir / (stem + ".csv")));
        std::string line, header;
        int rows = 0;
        size_t columns = 0;
        while (std::getline(csv, line)) {
            if (line.empty() || line[0] == '#') continue;
            const size_t c = size_t(std::count(line.begin(), line.end(), ',')) + 1;
            if (header.empty()) { header = line; columns = c; continue; }
            if (line.find('"') == std::string::npos) CHECK_MESSAGE(c == columns, line);
            ++rows;
        }
        CHECK(columns >= 2);
        CHECK(rows > 0);
        if (stem == "position_loss") CHECK(header == "series,position,loss_nats");
    }
    return figures;
}

}  // namespace

TEST_CASE("app script: every shipped preset opens, computes, renders and exports SVG, PNG and CSV") {
    const fs::path dir = temp_dir("presets");
    std::string script = "wait\n";
    std::vector<fs::path> presets;
    for (const auto& e : fs::directory_iterator(fs::path(XL_SOURCE_DIR) / "presets"))
        if (e.path().extension() == ".json") presets.push_back(e.path());
    std::sort(presets.begin(), presets.end());
    REQUIRE(presets.size() >= 6);
    for (const fs::path& p : presets) {
        const std::string stem = p.stem().string();
        script += "preset " + p.string() + "\nshrink\nwait\nexport " + (dir / stem).string() + "\nscreenshot " +
                  (dir / (stem + ".png")).string() + "\n";
    }
    const CommandRun r = run_script(dir, script);
    INFO(r.out);
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("FAILED") == std::string::npos);
    for (const fs::path& p : presets) {
        const std::string stem = p.stem().string();
        CAPTURE(stem);
        const xl::Session s = xl::load_preset(p.string());
        CHECK(check_exports(dir / stem, s) >= 1);
        if (xl::shows_panel(s, "perplexity")) CHECK(fs::exists(dir / stem / "ppl_vs_length_yarn.csv"));
        int w = 0, h = 0, n = 0;  // the window as rendered after the preset's results came in
        unsigned char* px = stbi_load((dir / (stem + ".png")).string().c_str(), &w, &h, &n, 4);
        REQUIRE(px != nullptr);
        stbi_image_free(px);
        CHECK(w == 1000);
        CHECK(h == 700);
    }
    fs::remove_all(dir);
}

TEST_CASE("app script: bad presets and bad model files open the error dialog and keep the session") {
    const fs::path dir = temp_dir("bad");
    const std::string preset = (fs::path(XL_SOURCE_DIR) / "presets" / "rope_basics.json").string();
    const std::string name = xl::load_preset(preset).name;
    xl::write_file_atomic((dir / "unknown_key.json").string(), R"({"extrapolab_preset": 1, "name": "x", "colour": 3})");
    xl::write_file_atomic((dir / "out_of_range.json").string(), R"({"extrapolab_preset": 1, "name": "x", "eval_length": 0})");
    xl::write_file_atomic((dir / "bad_method.json").string(), R"({"extrapolab_preset": 1, "name": "x", "configs": ["yarn:s=-4"]})");
    const std::string model = slurp(fs::path(XL_SOURCE_DIR) / "assets" / "stories260K.bin");
    xl::write_file_atomic((dir / "truncated.bin").string(), model.substr(0, model.size() / 3));
    xl::write_file_atomic((dir / "foreign.gguf").string(), "this is not a model file at all\n");
    const std::string tok = (fs::path(XL_SOURCE_DIR) / "assets" / "tok512.bin").string();
    std::string script = "wait\npreset " + preset + "\nshrink\nwait\n";
    for (const char* bad : {"unknown_key", "out_of_range", "bad_method"})
        script += std::string("preset ") + (dir / (std::string(bad) + ".json")).string() + "\nexpect-error " + bad +
                  ".json\nexpect-name " + name + "\n";
    script += "model " + (dir / "truncated.bin").string() + " " + tok + "\nexpect-error truncated.bin\nexpect-name " + name + "\n";
    script += "model " + (dir / "foreign.gguf").string() + "\nexpect-error foreign.gguf\nexpect-name " + name + "\n";
    script += "wait\n";  // the session still computes
    const CommandRun r = run_script(dir, script);
    INFO(r.out);
    CHECK(r.rc == 0);
    CHECK(r.out.find("FAILED") == std::string::npos);
    CHECK(r.out.find("script: ok expect-error foreign.gguf") != std::string::npos);
    fs::remove_all(dir);
}
