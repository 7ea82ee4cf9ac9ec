// One panel per file (DESIGN.md #9), each a free function. Plot panels take the session, the view
// state and the last finished Results; the Model and Method panels also get the app state for
// file loading, undo/redo and error reporting.
#pragma once
#include "app/app_state.hpp"
#include "core/session/results.hpp"

namespace xl {

void model_panel(AppState& app, const Results* r);
void method_panel(AppState& app, const Results* r);
void lesson_panel(const Session& s);

void perplexity_panel(Session& s, ViewState& v, const Results& r);
void attention_panel(Session& s, ViewState& v, const Results& r);
void rope_phase_panel(Session& s, ViewState& v, const Results& r);
void freq_remap_panel(Session& s, ViewState& v, const Results& r);
void logit_decay_panel(Session& s, ViewState& v, const Results& r);
void alibi_panel(Session& s, ViewState& v, const Results& r);
void positions_panel(Session& s, ViewState& v, const Results& r);
void entropy_panel(Session& s, ViewState& v, const Results& r);
void posvec_panel(Session& s, ViewState& v, const Results& r);
void evict_panel(Session& s, ViewState& v, const Results& r);
void needle_panel(Session& s, ViewState& v, const Results& r);
void logit_spread_panel(Session& s, ViewState& v, const Results& r);

// Shared widgets: the configuration selector (A-D) for panels that show one at a time, and the
// plot height that fits `count` plots in the remaining space.
void config_selector(const Results& r, ViewState& v);
float plot_height(int count);

}  // namespace xl
