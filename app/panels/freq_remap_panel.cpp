// Frequency-remap panel: inverse frequency and wavelength per pair for every configuration on
// log axes, with the NTK-by-parts / YaRN ramp shaded, the training length, a Llama-3 band edge
// and the critical dimension of the RoPE scaling-law paper marked.
#include <imgui.h>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void freq_remap_panel(Session& s, ViewState& v, const Results& r) {
    if (r.config.position != PositionSignal::RoPE) {
        ImGui::TextDisabled("This model uses no RoPE.");
        return;
    }
    for (const ConfigResult& c : r.configs)
        ImGui::Text("%c: attention factor (mscale) %.4f   convention %s", c.label, c.rope.attention_factor,
                    c.rope.convention.empty() ? "-" : c.rope.convention.c_str());
    const float h = plot_height(2);
    plot_figure(figure_inv_freq(r), v, h);
    plot_figure(figure_wavelength(r), v, h);
}

}  // namespace xl
