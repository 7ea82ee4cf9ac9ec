#include "app/drag_probe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app_jobs.hpp"

namespace xl {

namespace {

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}
double worst(const std::vector<double>& v) { return v.empty() ? 0 : *std::max_element(v.begin(), v.end()); }
double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

constexpr double kSettleTimeout = 300;  // seconds after the release before the probe gives up (a real model on lavapipe)

}  // namespace

void DragProbe::move_slider(AppState& app) {
    Configuration& c = app.session.configs.back();
    const double s = 2.0 + 1.5 * std::sin(frame_ * 0.05);
    const size_t colon = c.method.find(':');
    const std::string name = colon == std::string::npos ? c.method : c.method.substr(0, colon);
    c.method = name + ":s=" + std::to_string(s).substr(0, 5);  // other keys: the model's defaults
}

void DragProbe::note_updates(AppState& app) {
    if (app.seen_generation <= seen_) return;
    seen_ = app.seen_generation;
    const auto r = app.runner.latest();
    if (!r) return;
    const bool preview = r->preview_of > 0;
    if (!released_) latency_ms_.push_back(app.last_latency_ms);
    ++labels_[preview ? preview_label(*r) : released_ ? "full (after the release)" : "full (a job from before the drag)"];
    if (released_ && !preview && first_full_ms_ < 0 && r->generation >= release_generation_) {
        first_full_ms_ = ms_since(release_);
        full_job_ms_ = r->seconds * 1000;  // the job's own time so far: its passes (what "plus one full pass" allows)
    }
    if (preview && first_preview_ms_ < 0) first_preview_ms_ = ms_since(start_);
    previews_ += preview;
}

bool DragProbe::after_frame(AppState& app, double frame_ms) {
    if (!active() || !app.runner.latest()) return active();  // start once the first results are in
    if (frame_ == 0 && start_when_idle_ && !results_current(app)) return true;  // or once every stage is done
    if (frame_ == 0) start_ = Clock::now();
    else (released_ ? settle_frame_ms_ : drag_frame_ms_).push_back(frame_ms);
    note_updates(app);
    if (!released_) {
        if (frame_++ < frames_) {
            app.scripted_drag = true;
            move_slider(app);
            return true;
        }
        released_ = true;
        app.scripted_drag = false;
        release_ = Clock::now();
        release_generation_ = app.runner.status().requested + 1;  // the full job comes next frame
        return true;
    }
    const bool full_shown = results_current(app);
    if (full_shown || ms_since(release_) > kSettleTimeout * 1000) {
        if (full_shown) full_after_release_ms_ = ms_since(release_);
        report();
        reported_ = true;
    }
    return !reported_;
}

void DragProbe::report() const {
    std::printf("drag: %zu frames, frame time median %.1f ms, max %.1f ms; %zu updates shown, "
                "update latency median %.0f ms, max %.0f ms\n",
                drag_frame_ms_.size(), median(drag_frame_ms_), worst(drag_frame_ms_), latency_ms_.size(),
                median(latency_ms_), worst(latency_ms_));
    std::printf("drag: first preview %.0f ms after the drag started; %d previews shown\n", first_preview_ms_, previews_);
    for (const auto& [label, count] : labels_) std::printf("drag: shown %d x %s\n", count, label.c_str());
    std::printf("release: full eval-window result %.0f ms after the release (its job ran %.0f ms: the passes not cached; "
                "%.0f ms before it started), every stage (sweep...) after %.0f ms%s; "
                "%zu frames meanwhile, frame time median %.1f ms, max %.1f ms\n", first_full_ms_, full_job_ms_,
                first_full_ms_ - full_job_ms_, full_after_release_ms_, full_after_release_ms_ < 0 ? " (timed out)" : "",
                settle_frame_ms_.size(), median(settle_frame_ms_), worst(settle_frame_ms_));
    std::fflush(stdout);
}

}  // namespace xl
