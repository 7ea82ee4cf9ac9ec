// Attention-map panel: one map per configuration for the chosen layer/head (or the head mean),
// reduced on the GPU to the view's grid; zoom into any region, first-token sink column visible.
#include <imgui.h>

#include <algorithm>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/io/colormap.hpp"
#include "core/session/figures.hpp"

namespace xl {

void attention_panel(Session& s, ViewState& v, const Results& r) {
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("layer", &v.layer, 0, std::max(0, r.config.n_layers - 1));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("head (-1 = mean)", &v.head, -1, std::max(0, r.config.n_heads - 1));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    if (ImGui::BeginCombo("colormap", v.colormap.c_str())) {
        for (const std::string& name : colormap_names())
            if (ImGui::Selectable(name.c_str(), name == v.colormap)) v.colormap = name;
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::Checkbox("log colour", &v.log_color);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(110);
    ImGui::SliderInt("grid", &s.attention_grid, 16, 512, "%d", ImGuiSliderFlags_Logarithmic);
    const int n = int(r.configs.size());
    if (n == 0) return;
    const int per_row = n <= 2 ? n : 2;
    const int rows = (n + per_row - 1) / per_row;
    const float h = plot_height(rows);
    if (ImGui::BeginTable("maps", per_row)) {
        for (int i = 0; i < n; ++i) {
            ImGui::TableNextColumn();
            if (r.configs[size_t(i)].attention.rows == 0) {
                ImGui::TextDisabled("%c: no attention (%s)", r.configs[size_t(i)].label, r.configs[size_t(i)].error.c_str());
                continue;
            }
            plot_figure(figure_attention(r, i, v), v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
