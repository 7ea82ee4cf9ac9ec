// ALiBi panel: per-head slopes, the bias matrix of one head, and the effective receptive field
// (attention mass within distance d) measured on the live model.
#include <imgui.h>

#include <algorithm>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void alibi_panel(Session& s, ViewState& v, const Results& r) {
    if (r.configs.empty()) return;
    bool any = false;
    for (const ConfigResult& c : r.configs) any |= !c.plan.alibi_slopes.empty();
    if (!any) ImGui::TextDisabled("No configuration uses ALiBi slopes (try the ALiBi preset, or method 'alibi').");
    config_selector(r, v);
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("layer##alibi", &v.layer, 0, std::max(0, r.config.n_layers - 1));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("head##alibi", &v.head, 0, std::max(0, r.config.n_heads - 1));
    const int ci = std::min<int>(v.active_config, int(r.configs.size()) - 1);
    const float h = plot_height(2);
    if (ImGui::BeginTable("alibi", 2)) {
        ImGui::TableNextColumn();
        plot_figure(figure_alibi_slopes(r), v, h);
        ImGui::TableNextColumn();
        plot_figure(figure_alibi_bias(r, ci, std::max(0, v.head)), v, h);
        ImGui::EndTable();
    }
    if (r.entropy_done) plot_figure(figure_receptive_field(r, v.layer), v, h);
    else ImGui::TextDisabled("receptive field: computing (all heads of every layer)...");
}

}  // namespace xl
