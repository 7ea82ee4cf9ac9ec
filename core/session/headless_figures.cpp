#include "core/session/headless_figures.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <thread>

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
    // The figures first (cheap), then their files written on every core: rasterising and
    // encoding the PNGs is most of an export's writing time.
    std::vector<FigureSpec> figures;
    std::vector<size_t> panel_end;  // figures[0, panel_end[k]) belong to the first k + 1 panels shown
    std::vector<std::string> panels;
    for (const std::string& panel : all_panel_ids()) {
        if (!shows_panel(s, panel)) continue;
        for (FigureSpec& f : panel_figures(panel, r, v)) figures.push_back(std::move(f));
        panels.push_back(panel);
        panel_end.push_back(figures.size());
    }
    std::vector<std::vector<std::string>> files(figures.size());
    std::vector<std::exception_ptr> failed(figures.size());
    std::atomic<size_t> next{0};
    const auto worker = [&] {
        for (size_t i = next++; i < figures.size(); i = next++) {
            try {
                files[i] = write_figure_files(figures[i], out_dir, png_scale);
            } catch (...) {
                failed[i] = std::current_exception();
            }
        }
    };
    const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    for (const std::exception_ptr& e : failed)
        if (e) std::rethrow_exception(e);
    std::vector<std::string> written;
    for (size_t k = 0, i = 0; k < panels.size(); ++k) {
        for (; i < panel_end[k]; ++i) written.insert(written.end(), files[i].begin(), files[i].end());
        if (panels[k] == "perplexity") {
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
        for (const std::string& w : results->warnings) std::fprintf(stderr, "extrapolab: warning: %s\n", w.c_str());
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
