#include "app/app_script.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "app/app_jobs.hpp"
#include "app/app_results.hpp"
#include "core/io/atomic_file.hpp"

namespace xl {

namespace {

// A wait that never ends fails instead of hanging. Wall time, not frames: frames come faster or
// slower with the machine's load, and a real model at 128 tokens on lavapipe takes minutes.
constexpr std::chrono::minutes kWaitLimit{30};

std::string joined(const std::vector<std::string>& words, size_t from) {
    std::string s;
    for (size_t i = from; i < words.size(); ++i) s += (s.empty() ? "" : " ") + words[i];
    return s;
}

}  // namespace

AppScript AppScript::load(const std::string& path) {
    AppScript s;
    std::istringstream in(read_text_file(path));
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::vector<std::string> w;
        for (std::string x; words >> x;) w.push_back(x);
        if (!w.empty() && w[0][0] != '#') s.steps_.push_back(w);
    }
    return s;
}

void AppScript::fail(const std::string& what) {
    std::printf("script: FAILED %s\n", what.c_str());
    std::fflush(stdout);
    failed_ = true;
    next_ = steps_.size();
}

std::string AppScript::step(AppState& app) {
    if (!active()) return "";
    const std::vector<std::string>& w = steps_[next_];
    const std::string& cmd = w[0];
    const std::string arg = joined(w, 1);
    if (cmd == "wait") {
        // Until the results are current, or the request failed and its error dialog has been on
        // screen for a frame (the runner reports the failure before the frame that opens the dialog).
        const bool failed = !results_current(app) && request_failed(app);
        if (failed && !app.error.empty()) ++dialog_frames_;
        if (!results_current(app) && (!failed || dialog_frames_ < 2)) {
            if (!waiting_since_) waiting_since_ = std::chrono::steady_clock::now();
            if (std::chrono::steady_clock::now() - *waiting_since_ > kWaitLimit) fail("wait: results never completed");
            return "";
        }
        waiting_since_.reset();
        dialog_frames_ = 0;
    } else if (cmd == "preset") {
        open_preset(app, arg);
    } else if (cmd == "results") {
        open_results(app, arg);
    } else if (cmd == "expect-results") {
        const size_t n = app.opened_sweep ? app.opened_sweep->rows().size() : 0;
        if (std::to_string(n) != arg) fail("expect-results " + arg + ": " + std::to_string(n) + " cells open");
    } else if (cmd == "model") {
        open_model(app, w.size() > 1 ? w[1] : "", w.size() > 2 ? w[2] : "");
    } else if (cmd == "shrink") {
        app.session.eval_length = std::min(app.session.eval_length, 128);
        app.session.lengths = {std::max(2, app.session.eval_length / 2), app.session.eval_length};
        app.session.max_windows = 1;
        app.session.posvec_windows = std::min(app.session.posvec_windows, 4);
        app.session.evict_tokens = std::min(app.session.evict_tokens, 256);
        app.session.needle_lengths = {256};
        if (app.session.needle_depths.size() > 2) app.session.needle_depths = {0.25, 0.75};
        app.settled = app.session;
    } else if (cmd == "panel") {
        app.active_tab = arg;
        app.select_tab = true;
    } else if (cmd == "export") {
        if (!exporting_) {
            app.view.export_dir = arg;
            export_all_figures(app);
            exporting_ = true;
        }
        if (!app.pending_export.empty()) return "";  // waiting for the missing stages
        exporting_ = false;
        if (app.view.notice.rfind("wrote ", 0) != 0) fail("export: " + app.view.notice);
    } else if (cmd == "expect-error") {
        if (app.error.find(arg) == std::string::npos) fail("expect-error '" + arg + "': dialog shows '" + app.error + "'");
        app.error.clear();
    } else if (cmd == "expect-name") {
        if (app.session.name != arg) fail("expect-name '" + arg + "': session is '" + app.session.name + "'");
    } else if (cmd == "screenshot") {
        ++next_;
        std::printf("script: ok %s\n", joined(w, 0).c_str());
        return arg;
    } else {
        fail("unknown command '" + cmd + "'");
    }
    if (failed_) return "";
    std::printf("script: ok %s\n", joined(w, 0).c_str());
    std::fflush(stdout);
    ++next_;
    return "";
}

}  // namespace xl
