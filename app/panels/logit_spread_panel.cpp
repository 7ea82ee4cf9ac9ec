// Attention logits panel: the distribution of the pre-softmax logits query_scale·(q·k) per octave
// distance bucket, of one layer or all layers together, for every configuration overlaid (median,
// 25-75 % dashed, 1-99 % band; training length marked), and each layer's 1-99 % spread in the
// farthest bucket and in the farthest bucket inside the training length. One forward pass per
// configuration counts them (core/metrics/logit_spread.hpp); the layer slider only changes what is drawn.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/panels/panels.hpp"
#include "app/plot_widget.hpp"
#include "core/session/figures.hpp"

namespace xl {

void logit_spread_panel(Session& s, ViewState& v, const Results& r) {
    (void)s;
    if (r.configs.empty()) return;
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("layer (-1 = all)##logits", &v.logit_layer, -1, std::max(0, r.config.n_layers - 1));
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Pre-softmax logits query_scale * (q . k) of every head and visible pair (ALiBi bias left out),\n"
                          "per distance bucket d = 0, 1, 2-3, 4-7, ... from one forward pass of the eval length.\n"
                          "Inside the trained distances the logits stay in a band; beyond them unseen rotations\n"
                          "spread them, which log-n scaling, YaRN's temperature and windows answer.\n"
                          "Quantiles from 0.25-wide bins over [-32, 32): within 0.25 of the exact value.");
    if (!has_logit_spread(r)) {
        ImGui::TextDisabled("attention logits: computing (one pass of %d tokens per configuration)...", r.eval_length);
        return;
    }
    std::string timing;
    for (const ConfigResult& c : r.configs) {
        char b[64];
        if (c.logit_spread) std::snprintf(b, sizeof b, "  %c %.1f s", c.label, c.logit_seconds);
        else std::snprintf(b, sizeof b, "  %c: pending", c.label);
        timing += b;
    }
    ImGui::TextDisabled("%d tokens, training length %d;%s", r.eval_length, r.train_length, timing.c_str());
    const std::vector<FigureSpec> figs = logit_spread_figures(r, v);
    const float h = plot_height(1);
    if (ImGui::BeginTable("logit_spread", 2)) {
        for (const FigureSpec& f : figs) {
            ImGui::TableNextColumn();
            plot_figure(f, v, h);
        }
        ImGui::EndTable();
    }
}

}  // namespace xl
