// Logit-decay panel: RoFormer's analytic long-term-decay bound per configuration, and the live
// model's layer-0 q·k/√d by relative distance, before and after remapping.
#include <imgui.h>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void logit_decay_panel(Session& s, ViewState& v, const Results& r) {
    const bool rope = r.config.position == PositionSignal::RoPE;
    const float h = plot_height(rope ? 2 : 1);
    if (rope) plot_figure(figure_logit_bound(r), v, h);
    bool any = false;
    for (const ConfigResult& c : r.configs) any |= !c.qk_by_distance.empty();
    if (any) plot_figure(figure_logit_live(r), v, h);
    else ImGui::TextDisabled("live q.k: computing...");
}

}  // namespace xl
