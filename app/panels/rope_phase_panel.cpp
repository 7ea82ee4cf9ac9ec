// RoPE phase panel: wrapped rotation angle of selected frequency pairs vs position (original
// dotted, remapped solid) and the pair × position phase strips before and after the remapping.
#include <imgui.h>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void rope_phase_panel(Session& s, ViewState& v, const Results& r) {
    if (r.config.position != PositionSignal::RoPE || r.configs.empty()) {
        ImGui::TextDisabled("This model uses no RoPE.");
        return;
    }
    config_selector(r, v);
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("pairs drawn", &v.phase_pairs, 1, 8);
    const int ci = std::min<int>(v.active_config, int(r.configs.size()) - 1);
    if (r.configs[size_t(ci)].rope.inv_freq.empty()) return;
    const float h = plot_height(3);
    plot_figure(figure_rope_phase_curves(r, ci, v.phase_pairs), v, h * 1.3f);
    plot_figure(figure_rope_phase_strip(r, ci, false), v, h * 0.85f);
    plot_figure(figure_rope_phase_strip(r, ci, true), v, h * 0.85f);
}

}  // namespace xl
