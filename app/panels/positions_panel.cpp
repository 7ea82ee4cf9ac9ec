// Positions panel: for every configuration, the relative position its attention uses for each
// (query, key) pair and its mask — ReRoPE/Leaky ReRoPE caps, Self-Extend's grouped positions,
// PI's scaled distances, sliding windows, sinks and LM-Infinite's Λ shape.
#include <imgui.h>

#include <algorithm>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void positions_panel(Session& s, ViewState& v, const Results& r) {
    const int n = int(r.configs.size());
    if (n == 0) return;
    ImGui::SetNextItemWidth(180);
    ImGui::SliderInt("tokens shown", &v.positions_tokens, 16, std::max(16, std::min(r.eval_length, 1024)), "%d",
                     ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Colour: q_pos(i) - k_pos(j) of the branch the attention uses (near, or far past the\n"
                          "neighbour window). Blank: the key is not visible (future, outside the window, not a sink).");
    const int per_row = n <= 2 ? n : 2;
    const float h = plot_height((n + per_row - 1) / per_row);
    if (ImGui::BeginTable("positions", per_row)) {
        for (int i = 0; i < n; ++i) {
            ImGui::TableNextColumn();
            plot_figure(figure_relative_positions(r, i, v.positions_tokens), v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
