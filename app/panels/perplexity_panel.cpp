// Perplexity panel: perplexity vs evaluation length for every configuration (training length
// marked) and the smoothed per-position loss of the eval window (or its difference to A),
// refreshed while sliders move.
#include <imgui.h>

#include "app/app_jobs.hpp"
#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void perplexity_panel(Session& s, ViewState& v, const Results& r) {
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("smoothing (tokens)", &v.smoothing, 1, 256, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::Text("| protocol %s | eval window %d tokens | train %d", r.protocol.c_str(), r.eval_length, r.train_length);
    if (r.preview_of > 0) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1, 0.8f, 0.3f, 1), "| %s", preview_label(r).c_str());
    }
    for (const ConfigResult& c : r.configs)
        if (!c.error.empty()) ImGui::TextColored(ImVec4(1, 0.5f, 0.4f, 1), "%c: %s", c.label, c.error.c_str());
    const bool kl = v.loss_diff && has_position_kl(r);
    const float h = plot_height(kl ? 3 : 2);
    plot_figure(figure_ppl_vs_length(r), v, h);
    if (!r.sweep_done) ImGui::TextDisabled("sweep in progress: points appear as lengths finish");
    if (r.configs.size() > 1) {
        ImGui::Checkbox("show the difference to A", &v.loss_diff);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip("Per-position loss of each configuration minus that of A (negative: better than A),\n"
                              "and KL(P_A || P_X) of the next-token distributions where the backend returns logits");
    }
    if (v.loss_diff && r.configs.size() > 1) plot_figure(figure_position_loss_diff(r, v.smoothing), v, h);
    else plot_figure(figure_position_loss(r, v.smoothing), v, h);
    if (kl) plot_figure(figure_position_kl(r, v.smoothing), v, h);
}

}  // namespace xl
