// The app's frame layout: menu bar, left column (lesson, model, method), right column (one tab
// per plot panel of the session), status bar (progress, cancel, device, frame time, latency)
// and the error modal.
#pragma once
#include "app/app_state.hpp"

namespace xl {

void draw_app_ui(AppState& app);

}  // namespace xl
