#include "core/session/headless_figures.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/error.hpp"
#include "core/io/csv_writer.hpp"
#include "core/io/png_writer.hpp"
#include "core/io/preset_io.hpp"
#include "core/io/svg_writer.hpp"
#include "core/session/compute.hpp"
#include "core/session/figures.hpp"

namespace xl {

std::string find_preset(const std::string& name) {
    namespace fs = std::filesystem;
    std::vector<fs::path> tries = {name, fs::path("presets") / name, fs::path("presets") / (name + ".json")};
#ifdef XL_SOURCE_DIR_FOR_PRESETS
    tries.push_back(fs::path(XL_SOURCE_DIR_FOR_PRESETS) / "presets" / (name + ".json"));
#endif
    for (const fs::path& p : tries) {
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p.string();
    }
    throw Error(ErrorKind::BadFile, name, "preset not found (give a path, or a name from presets/)");
}

std::vector<std::string> write_figure_files(const FigureSpec& f, const std::string& out_dir, double png_scale) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (!fs::is_directory(out_dir)) throw Error(ErrorKind::BadFile, out_dir, "cannot create the output directory");
    const std::string stem = (fs::path(out_dir) / f.id).string();
    write_svg(f, stem + ".svg");
    write_png(f, stem + ".png", png_scale);
    write_figure_csv(f, stem + ".csv");
    return {stem + ".svg", stem + ".png", stem + ".csv"};
}

std::vector<std::string> write_results_figures(const Session& s, const Results& r, const ViewState& v,
                                               const std::string& out_dir, double png_scale) {
    namespace fs = std::filesystem;
    if (r.preview_of > 0)  // previews are drawn while a slider moves, never exported
        throw Error(ErrorKind::BadArgument, out_dir,
                    "not exported: the results are a preview (" + std::to_string(r.eval_length) + " of " +
                        std::to_string(r.preview_of) + " tokens); wait for the full result");
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (!fs::is_directory(out_dir)) throw Error(ErrorKind::BadFile, out_dir, "cannot create the output directory");
    std::vector<std::string> written;
    for (const std::string& panel : all_panel_ids()) {
        if (!shows_panel(s, panel)) continue;
        for (const FigureSpec& f : panel_figures(panel, r, v)) {
            const auto files = write_figure_files(f, out_dir, png_scale);
            written.insert(written.end(), files.begin(), files.end());
        }
        if (panel == "perplexity") {
            const std::string p = (fs::path(out_dir) / "ppl_vs_length_yarn.csv").string();
            write_yarn_csv(perplexity_table(r), p);
            written.push_back(p);
        }
    }
    return written;
}

int write_preset_figures(const std::string& preset, const std::string& out_dir) {
    try {
        const std::string path = find_preset(preset);
        ComputeRequest req;
        req.session = load_preset(path);
        req.want_evict = std::find(req.session.panels.begin(), req.session.panels.end(), "evict") != req.session.panels.end();
        ViewState view;
        Engine engine;
        ComputeHooks hooks;
        hooks.progress = [](double f, const std::string& m) { std::fprintf(stderr, "\r[%3d%%] %-40s", int(f * 100), m.c_str()); };
        const auto results = compute_results(req, engine, hooks);
        std::fprintf(stderr, "\ncomputed in %.2f s on %s\n", results->seconds, results->device.c_str());
        for (const ConfigResult& c : results->configs)
            if (!c.error.empty()) std::fprintf(stderr, "extrapolab: configuration %c: %s\n", c.label, c.error.c_str());
        const auto t0 = std::chrono::steady_clock::now();
        const std::vector<std::string> files = write_results_figures(req.session, *results, view, out_dir);
        for (const std::string& f : files) std::printf("%s\n", f.c_str());
        std::fprintf(stderr, "wrote %zu files in %.2f s\n", files.size(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "extrapolab: %s\n", e.what());
        return 2;
    }
}

}  // namespace xl
