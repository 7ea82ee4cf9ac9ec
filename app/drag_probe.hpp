// Latency probe of the desktop app (XL_APP_DRAG=N): for N frames the last configuration's scale
// parameter moves every frame as if its slider were held and dragged (app.dragging: previews are
// submitted), then it is released and the probe waits for the full result. It prints the frame
// times while dragging and while the full pass runs, every update shown (its latency from the
// edit and whether it was a preview, with the preview's label), the time from the drag's start
// to the first preview, and from the release to the full eval-window result (stage 1) and to
// every stage (sweep, ...).
//
//   DragProbe probe(std::atoi(getenv("XL_APP_DRAG")));
//   every frame, after frame():  probe.after_frame(app, frame_ms);   // false once it has reported
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "app/app_state.hpp"

namespace xl {

class DragProbe {
public:
    // start_when_idle: the drag starts once every stage of the first job is done (XL_APP_DRAG_START=idle:
    // a hand that waits for the result), else as soon as its first results show.
    explicit DragProbe(int frames, bool start_when_idle = false) : frames_(frames), start_when_idle_(start_when_idle) {}
    bool active() const { return frames_ > 0 && !reported_; }
    bool reported() const { return reported_; }  // the app ends then: nothing more to measure
    // Advances the probe by one frame; returns false once it has reported (or when inactive).
    bool after_frame(AppState& app, double frame_ms);

private:
    using Clock = std::chrono::steady_clock;
    void move_slider(AppState& app);
    void note_updates(AppState& app);
    void report() const;

    int frames_ = 0, frame_ = 0;
    bool start_when_idle_ = false;
    bool released_ = false, reported_ = false;
    Clock::time_point start_, release_;
    uint64_t seen_ = 0;
    std::vector<double> drag_frame_ms_, settle_frame_ms_, latency_ms_;
    std::map<std::string, int> labels_;   // "preview: 256 of 1024 tokens" / "full" -> updates shown
    int previews_ = 0;
    double first_preview_ms_ = -1, first_full_ms_ = -1, full_after_release_ms_ = -1, full_job_ms_ = -1;
    uint64_t release_generation_ = 0;
};

}  // namespace xl
