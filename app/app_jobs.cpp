#include "app/app_jobs.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/preset_io.hpp"
#include "core/model/load_model.hpp"
#include "core/session/headless_figures.hpp"

namespace xl {

void submit_if_changed(AppState& app) {
    const bool probe_changed = app.view.layer != app.submitted_layer || app.view.head != app.submitted_head;
    const bool want_entropy = app.active_tab == "entropy" || app.active_tab == "alibi" || app.want_all_stages;
    const bool want_logit = app.active_tab == "logit_decay" || app.want_all_stages;
    const bool want_kl = app.view.loss_diff || app.want_all_stages;
    const bool want_posvec = app.active_tab == "posvec" || app.want_all_stages;
    // The eviction grid is a long job (chunk by chunk): only while its tab is open (or listed by a preset).
    const bool want_evict = app.active_tab == "evict" ||
                            (app.want_all_stages && std::find(app.session.panels.begin(), app.session.panels.end(), "evict") !=
                                                        app.session.panels.end());
    const bool want_needle = app.active_tab == "needle" || app.want_all_stages;
    const bool want_logit_spread = app.active_tab == "logit_spread" || app.want_all_stages;
    const bool entropy_changed = (want_entropy && !app.submitted_entropy) || (want_logit && !app.submitted_logit) ||
                                 (want_kl && !app.submitted_kl) || (want_posvec && !app.submitted_posvec) ||
                                 (want_evict && !app.submitted_evict) || (want_needle && !app.submitted_needle) ||
                                 (want_logit_spread && !app.submitted_logit_spread);
    const bool owed = app.submitted_preview && !app.dragging;  // the hand rests: the full result
    if (app.session == app.submitted && !probe_changed && !entropy_changed && !owed && app.submitted_layer != -99) return;
    try {
        validate_session(app.session, "session");
    } catch (const Error&) {
        return;  // an invalid intermediate edit: keep showing the last results
    }
    app.submitted = app.session;
    app.submitted_layer = app.view.layer;
    app.submitted_head = app.view.head;
    app.submitted_entropy = want_entropy;
    app.submitted_logit = want_logit;
    app.submitted_kl = want_kl;
    app.submitted_posvec = want_posvec;
    app.submitted_evict = want_evict;
    app.submitted_needle = want_needle;
    app.submitted_logit_spread = want_logit_spread;
    app.submitted_preview = app.dragging;
    ComputeRequest req;
    req.preview_budget_s = app.dragging ? kPreviewBudget : 0;
    req.warm_preview_budget_s = kPreviewBudget;  // a full job then warms the previews a drag will ask for
    req.want_kl = want_kl;
    req.want_entropy = want_entropy;
    req.want_logit = want_logit;
    req.want_posvec = want_posvec;
    req.want_evict = want_evict;
    req.want_needle = want_needle;
    req.want_logit_spread = want_logit_spread;
    req.session = app.session;
    req.layer = app.view.layer;
    req.head = app.view.head;
    req.defaults = app.defaults;
    std::shared_ptr<Engine> engine = app.engine;
    const auto now = std::chrono::steady_clock::now();
    const uint64_t g = app.runner.submit([req, engine](JobContext& ctx) mutable {
        req.generation = ctx.generation();
        ComputeHooks hooks;
        hooks.check = [&ctx] { ctx.check(); };
        hooks.progress = [&ctx](double f, const std::string& m) { ctx.progress(f, m); };
        hooks.publish = [&ctx](std::shared_ptr<const Results> r) { ctx.publish(std::move(r)); };
        return compute_results(req, *engine, hooks);
    });
    app.submit_times[g] = now;
    while (app.submit_times.size() > 64) app.submit_times.erase(app.submit_times.begin());
}

std::string preview_label(const Results& r) {
    if (r.preview_of <= 0) return "";
    return "preview: " + std::to_string(r.eval_length) + " of " + std::to_string(r.preview_of) + " tokens";
}

void track_latency(AppState& app) {
    const JobStatus st = app.runner.status();
    if (st.shown > app.seen_generation) {
        const auto it = app.submit_times.find(st.shown);
        if (it != app.submit_times.end())
            app.last_latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - it->second).count();
        app.seen_generation = st.shown;
    }
    if (!st.error.empty() && st.error_generation > app.latency_generation) {
        app.latency_generation = st.error_generation;
        app.error = std::string(app.runner.latest() ? "The computation failed; the plots show the last good results."
                                                    : "The computation failed before any results; the session is kept.") +
                    "\n\n" + st.error;
    }
}

void open_preset(AppState& app, const std::string& path) {
    try {
        Session s = load_preset(path);   // validated completely before anything changes
        const std::string model = resolve_path(s.model.empty() ? app.defaults.model : s.model, s.base_dir);
        const std::string tokenizer = !s.tokenizer.empty() ? resolve_path(s.tokenizer, s.base_dir)
                                      : s.model.empty()    ? resolve_path(app.defaults.tokenizer, s.base_dir) : "";
        validate_plans(s, load_model(model, tokenizer).config, path);
        app.undo.record(app.session);
        app.session = s;
        app.settled = s;
        if (!s.panels.empty()) app.active_tab = s.panels.front() == "model" || s.panels.front() == "method"
                                                    ? (s.panels.size() > 1 ? s.panels[1] : "perplexity") : s.panels.front();
        for (const std::string& p : s.panels)
            if (p != "model" && p != "method") { app.active_tab = p; break; }
        app.select_tab = true;
        app.view.notice = "opened preset " + path;
    } catch (const std::exception& e) {
        app.error = std::string("The preset was not opened; the current session is unchanged.\n\n") + e.what();
    }
}

void open_path(AppState& app, const std::string& path) {
    if (std::filesystem::path(path).extension() == ".json") open_preset(app, path);
    else open_model(app, path, app.tokenizer_input);
}

namespace {
std::string session_file(const AppState& a) { return a.state_dir + "/session.json"; }
std::string view_file(const AppState& a) { return a.state_dir + "/view.json"; }
}  // namespace

void restore_state(AppState& app) {
    if (app.state_dir.empty()) return;
    try {
        if (std::filesystem::exists(session_file(app))) {
            Session s = session_from_json(read_text_file(session_file(app)), session_file(app));
            app.session = s;
        }
    } catch (const std::exception& e) {
        app.view.notice = std::string("error: saved session ignored: ") + e.what();
    }
    try {
        if (std::filesystem::exists(view_file(app))) app.view = view_state_from_json(read_text_file(view_file(app)), view_file(app));
    } catch (const std::exception& e) {
        app.view.notice = std::string("error: saved view ignored: ") + e.what();
    }
}

void save_state(const AppState& app) {
    if (app.state_dir.empty()) return;
    try {
        std::filesystem::create_directories(app.state_dir);
        write_file_atomic(session_file(app), session_to_json(app.session));
        write_file_atomic(view_file(app), view_state_to_json(app.view));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "extrapolab: could not save the app state: %s\n", e.what());
    }
}

void list_presets(AppState& app, const std::string& dir) {
    app.preset_files.clear();
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".json") app.preset_files.push_back(e.path().string());
    std::sort(app.preset_files.begin(), app.preset_files.end());
}

}  // namespace xl

namespace xl {

namespace {

// The stages only computed while their tab is open (entropy: a forward per layer and head;
// live q·k) are missing from `r` although a shown panel needs them.
bool missing_stages(const AppState& app, const Results& r) {
    const bool entropy = shows_panel(app.session, "entropy") || shows_panel(app.session, "alibi");
    bool logit = shows_panel(app.session, "logit_decay");
    for (const ConfigResult& c : r.configs) logit = logit && c.error.empty() && c.qk_by_distance.empty();
    const bool kl = shows_panel(app.session, "perplexity") && r.configs.size() > 1 && !app.submitted_kl;
    const bool posvec = shows_panel(app.session, "posvec") && !r.posvec_done;
    const bool needle = shows_panel(app.session, "needle") && !r.needle_done;
    const bool sweep = shows_panel(app.session, "perplexity") && !r.sweep_done;  // no sweep runs without the panel
    const bool evict = std::find(app.session.panels.begin(), app.session.panels.end(), "evict") != app.session.panels.end() &&
                       !r.evict_done;
    const bool logit_spread = shows_panel(app.session, "logit_spread") && !r.logit_spread_done;
    return (entropy && !r.entropy_done) || logit || kl || posvec || evict || needle || logit_spread || sweep;
}

}  // namespace

bool results_current(const AppState& app) {
    const JobStatus st = app.runner.status();
    const auto r = app.runner.latest();
    return r && r->preview_of == 0 && !app.submitted_preview && !st.busy && st.shown == st.requested &&
           app.session == app.submitted;
}

bool request_failed(const AppState& app) {
    const JobStatus st = app.runner.status();
    return !st.busy && !st.error.empty() && st.error_generation == st.requested && app.session == app.submitted;
}

void finish_pending_export(AppState& app) {
    if (app.pending_export.empty() || !results_current(app)) return;
    app.view.export_dir = app.pending_export;
    app.pending_export.clear();
    app.want_all_stages = false;
    export_all_figures(app);
}

std::string export_all_figures(AppState& app) {
    const std::shared_ptr<const Results> r = app.runner.latest();
    if (!r) return app.view.notice = "error: nothing computed yet";
    if (!app.want_all_stages && (missing_stages(app, *r) || !results_current(app))) {
        app.want_all_stages = true;   // the next job computes every stage; the export follows
        app.pending_export = app.view.export_dir;
        return app.view.notice = "computing every figure's data before exporting to " + app.view.export_dir + "...";
    }
    try {
        const auto files = write_results_figures(app.session, *r, app.view, app.view.export_dir, app.view.export_scale);
        app.view.notice = "wrote " + std::to_string(files.size()) + " files to " + app.view.export_dir;
    } catch (const std::exception& e) {
        app.error = std::string("The figures were not exported.\n\n") + e.what();
        app.view.notice = std::string("error: ") + e.what();
    }
    return app.view.notice;
}

}  // namespace xl
