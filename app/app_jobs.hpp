// The app's side of the job runner and of persistence: submit a computation when the session
// (or the probed layer/head) changed, track update latency, open presets / models by path or
// drag-and-drop, and save / restore session.json and view.json.
#pragma once
#include <string>

#include "app/app_state.hpp"

namespace xl {

// While a slider moves (app.dragging) a preview is submitted (ComputeRequest::preview_budget_s =
// kPreviewBudget); when it rests, the full computation.
constexpr double kPreviewBudget = 0.15;  // seconds a preview may take on the device in use
void submit_if_changed(AppState& app);
// "preview: 256 of 2048 tokens" for a preview result ("" otherwise).
std::string preview_label(const Results& r);
void track_latency(AppState& app);
void open_path(AppState& app, const std::string& path);   // .json = preset, else a model file
void open_preset(AppState& app, const std::string& path);  // keeps the session on failure
void open_model(AppState& app, const std::string& model, const std::string& tokenizer);
void restore_state(AppState& app);
void save_state(const AppState& app);
void list_presets(AppState& app, const std::string& dir);
// File > Export all figures of the shown results into app.view.export_dir; returns the notice
// ("wrote N files to DIR", or "error: ..." after showing the error dialog).
// When a shown panel's data is not computed yet (entropy, live q·k: computed only while their tab
// is open), the export waits: finish_pending_export (every frame) writes it once they are in.
std::string export_all_figures(AppState& app);
void finish_pending_export(AppState& app);
// The shown results answer the current session completely (no job running or waiting).
bool results_current(const AppState& app);
// The job of the latest edit ended in an error (shown in the error dialog): no results will come.
bool request_failed(const AppState& app);

}  // namespace xl
