// Everything the desktop app owns, with one owner per kind of state (DESIGN.md #7): the session
// (what a preset saves), the view state (persisted separately), and the job runner that turns
// the session into immutable Results off the UI thread. Panels receive references to the parts
// they need; nothing lives in function-static variables.
#pragma once
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/metrics/eval_sweep.hpp"
#include "core/session/compute.hpp"
#include "core/session/engine.hpp"
#include "core/session/job_runner.hpp"
#include "core/session/session.hpp"
#include "core/session/undo_stack.hpp"
#include "core/session/view_state.hpp"

namespace xl {


struct AppState {
    Session session;
    ViewState view;
    JobRunner runner;
    std::shared_ptr<Engine> engine;        // used by the worker thread only
    DefaultData defaults;                  // absolute paths of the bundled model/text
    UndoStack undo;
    Session settled;                       // session at the last settled edit (undo base)

    // What was last submitted (edits are detected by comparison, so panels just edit the session).
    Session submitted;
    int submitted_layer = -99, submitted_head = -99;
    bool submitted_entropy = false;        // the last job included the entropy stage
    bool submitted_logit = false;          // ... and the live q·k stage
    bool submitted_kl = false;             // ... and the window logits for KL to A
    bool submitted_posvec = false;         // ... and the positional vectors
    bool submitted_evict = false;          // ... and the KV-cache eviction grid
    bool submitted_needle = false;         // ... and the needle grid
    bool submitted_logit_spread = false;   // ... and the attention-logit spread
    bool submitted_preview = false;        // ... and was a preview (the full result is still owed)
    bool dragging = false;                 // a slider is held (or the drag probe moves one): previews
    bool scripted_drag = false;            // the drag probe (XL_APP_DRAG) holds the slider
    std::chrono::steady_clock::time_point submit_time;
    double last_latency_ms = 0;            // edit -> first results shown
    uint64_t latency_generation = 0;
    uint64_t seen_generation = 0;

    bool want_all_stages = false;          // compute entropy and live q·k whatever tab is shown
    std::string pending_export;            // export folder waiting for those stages ("" = none)
    std::string error;                     // shown in a modal until dismissed
    std::string active_tab;                // panel id shown on the right
    bool select_tab = true;                // make active_tab the selected tab at the next draw
    std::string preset_input, save_input, model_input, tokenizer_input;
    std::string results_input;             // File > Open results: path typed in
    std::shared_ptr<const EvalTable> opened_sweep;  // a finished sweep opened from disk (app_results.hpp)
    std::string opened_sweep_path;
    std::vector<std::string> preset_files;
    std::vector<std::string> dropped;      // paths dropped on the window, handled next frame
    std::map<uint64_t, std::chrono::steady_clock::time_point> submit_times;  // by generation
    std::string state_dir;                 // where session.json / view.json live
    double frame_ms = 0, worst_frame_ms = 0;
    int quiet_frames = 0;                  // frames since the last input or running job (pacing)
};

}  // namespace xl
