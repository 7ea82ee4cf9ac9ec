// The app's side of the job runner and of persistence: submit a computation when the session
// (or the probed layer/head) changed, track update latency, open presets / models by path or
// drag-and-drop, and save / restore session.json and view.json.
#pragma once
#include <string>

#include "app/app_state.hpp"

namespace xl {

void submit_if_changed(AppState& app);
void track_latency(AppState& app);
void open_path(AppState& app, const std::string& path);   // .json = preset, else a model file
void open_preset(AppState& app, const std::string& path);  // keeps the session on failure
void open_model(AppState& app, const std::string& model, const std::string& tokenizer);
void restore_state(AppState& app);
void save_state(const AppState& app);
void list_presets(AppState& app, const std::string& dir);

}  // namespace xl
