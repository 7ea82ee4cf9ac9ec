// Positional vectors panel (Dong et al., 2024): the mean hidden state per position over windows,
// per layer, for every configuration overlaid: its trajectory in the plane of two principal
// components fitted inside the training length (dashed beyond it), its norm and components against
// position (training length marked), and each layer's explained variance and beyond-range share on
// the fitted plane. All layers are computed once; the layer slider only changes what is drawn.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void posvec_panel(Session& s, ViewState& v, const Results& r) {
    if (r.configs.empty()) return;
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("layer##posvec", &v.posvec_layer, 0, std::max(0, r.config.n_layers - 1));
    ImGui::SameLine();
    ImGui::RadioButton("PC1-PC2", &v.posvec_pair, 0);
    ImGui::SameLine();
    ImGui::RadioButton("PC2-PC3", &v.posvec_pair, 1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("windows##posvec", &s.posvec_windows, 1, 64, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("smoothing##posvec", &v.smoothing, 1, 256, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("p_l(t) = mean over windows of the residual stream after block l at position t\n"
                          "(consecutive windows of the eval length, BOS first). PCA centred across positions,\n"
                          "fitted on positions 1 .. training length - 1 (position 0, the BOS sink, is an outlier\n"
                          "and is left out of fit and plots); every other position projected.\n"
                          "Dashed: positions beyond the training length. Per layer: dashed = share of the\n"
                          "beyond-range energy on the fitted plane (1 = the trajectory stays in range);\n"
                          "dotted = share of the fitted variance that is window-averaging noise (more windows lower it).");
    if (!has_posvec(r)) {
        ImGui::TextDisabled("positional vectors: computing (%d windows of %d tokens per configuration)...", s.posvec_windows,
                            r.eval_length);
        return;
    }
    std::string timing;
    for (const ConfigResult& c : r.configs) {
        char b[64];
        if (c.posvec) std::snprintf(b, sizeof b, "  %c %.1f s", c.label, c.posvec_seconds);
        else std::snprintf(b, sizeof b, "  %c: pending", c.label);
        timing += b;
    }
    const PositionalVectors& any = *std::find_if(r.configs.begin(), r.configs.end(), [](const ConfigResult& c) { return c.posvec != nullptr; })->posvec;
    ImGui::TextDisabled("%d windows of %d tokens; PCA fitted on positions %d..%d (training length %d);%s", any.windows,
                        any.length, any.fit_from, any.fitted - 1, r.train_length, timing.c_str());
    const std::vector<FigureSpec> figs = posvec_figures(r, v);
    const float h = plot_height(2);
    if (ImGui::BeginTable("posvec", 2)) {
        for (const FigureSpec& f : figs) {
            ImGui::TableNextColumn();
            plot_figure(f, v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
