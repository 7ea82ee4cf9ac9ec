// Entropy panel: attention entropy vs query position for each layer (mean over heads), against
// the uniform ln(i+1): entropy that keeps growing past the training length is why log-n scaling
// of the logits exists.
#include <imgui.h>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void entropy_panel(Session& s, ViewState& v, const Results& r) {
    if (r.configs.empty()) return;
    config_selector(r, v);
    if (!r.entropy_done) {
        ImGui::TextDisabled("entropy: computing (all heads of every layer)...");
        return;
    }
    const int ci = std::min<int>(v.active_config, int(r.configs.size()) - 1);
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("smoothing##entropy", &v.smoothing, 1, 256, "%d", ImGuiSliderFlags_Logarithmic);
    plot_figure(figure_entropy(r, ci, v.smoothing), v, plot_height(1));
}

}  // namespace xl
