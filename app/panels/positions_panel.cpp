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
    const float h = plot_height((n + per_row - 1) / per_row + 1);
    if (ImGui::BeginTable("positions", per_row)) {
        for (int i = 0; i < n; ++i) {
            ImGui::TableNextColumn();
            plot_figure(figure_relative_positions(r, i, v.positions_tokens), v, h);
        }
        ImGui::EndTable();
    }
    // Training-time methods change which positions a model sees while it is trained, not the
    // forward pass: shown as the sampled position ids and the distances they cover.
    ImGui::Separator();
    ImGui::TextUnformatted("Training-time position sampling:");
    for (const char* name : {"randpe", "pose"}) {
        ImGui::SameLine();
        if (ImGui::RadioButton(std::string(name).compare("pose") == 0 ? "PoSE" : "Randomized PE", v.training_sampler == name))
            v.training_sampler = name;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("target / train length", &v.training_factor, 2, 32, "%dx", ImGuiSliderFlags_Logarithmic);
    const std::vector<FigureSpec> figs = training_figures(r, v);
    if (ImGui::BeginTable("training", 2)) {
        for (const FigureSpec& f : figs) {
            ImGui::TableNextColumn();
            plot_figure(f, v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
