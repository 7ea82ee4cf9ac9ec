// A finished sweep opened from disk (File > Open results, `--results FILE`, the script command
// `results PATH`): a shard folder or a merged JSON (core/metrics/sweep_results.hpp), drawn in the
// Perplexity panel next to the live results.
#pragma once
#include <string>

#include "app/app_state.hpp"

namespace xl {

// Loads `path` into app.opened_sweep; a bad file or an incomplete shard folder goes to app.error.
void open_results(AppState& app, const std::string& path);
// Drawn at the top of the Perplexity tab when a sweep is open: what it is, its figure, Close.
void opened_sweep_section(AppState& app);

}  // namespace xl
