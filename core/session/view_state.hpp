// What the user looks at, as opposed to what is computed (DESIGN.md #7): zoom per plot, the
// selected layer/head, colormap and colour scale, smoothing. Persisted separately from the
// session (view.json beside session.json) and never part of a preset.
//
//   ViewState v;  v.layer = 3; v.head = 5; v.colormap = "magma";
//   v.plots["ppl_vs_length"] = {256, 4096, 4, 40, false};
#pragma once
#include <map>
#include <string>

namespace xl {

// Visible data range of one plot; `fit` = follow the data (double-click sets it again).
struct PlotView {
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool fit = true;
    bool operator==(const PlotView&) const = default;
};

struct ViewState {
    int layer = 0;                     // attention map / logit decay layer (0-based)
    int head = 0;                      // head (0-based), -1 = mean over heads
    int active_config = 0;             // configuration shown where one is shown at a time (0 = A)
    std::string colormap = "viridis";  // "viridis", "magma", "diverging"
    bool log_color = true;             // attention maps: log colour scale
    int smoothing = 16;                // per-position loss: moving-average window, tokens (1 = none)
    bool loss_diff = false;            // per-position loss shown as the difference to A
    int phase_pairs = 4;               // RoPE phase: number of pairs drawn as curves
    int positions_tokens = 256;        // Positions: tokens shown in the relative-position matrix
    std::string training_sampler = "pose";  // Positions: training-time sampler shown (randpe, pose)
    int training_factor = 8;           // ... target length as a multiple of the training length
    int posvec_layer = 0;              // Positional vectors: layer shown (all layers are computed)
    int posvec_pair = 0;               // ... trajectory plane: 0 = PC1–PC2, 1 = PC2–PC3
    int needle_cell = -1;              // Needle: cell whose head maps are shown (-1 = over all cells)
    int logit_layer = -1;              // Attention logits: layer shown (−1 = all layers together)
    std::string font_family = "DejaVu Sans";  // exported figures
    double export_scale = 1;           // PNG scale over the figure's dpi
    std::string export_dir = "figures";
    std::map<std::string, PlotView> plots;   // by figure id
    std::string notice;                // transient (not persisted): last export/message line for the status bar
    bool operator==(const ViewState& o) const {
        return layer == o.layer && head == o.head && active_config == o.active_config && colormap == o.colormap &&
               log_color == o.log_color && smoothing == o.smoothing && loss_diff == o.loss_diff && phase_pairs == o.phase_pairs && positions_tokens == o.positions_tokens &&
               training_sampler == o.training_sampler && training_factor == o.training_factor &&
               posvec_layer == o.posvec_layer && posvec_pair == o.posvec_pair && needle_cell == o.needle_cell &&
               logit_layer == o.logit_layer &&
               font_family == o.font_family && export_scale == o.export_scale && export_dir == o.export_dir &&
               plots == o.plots;
    }
};

}  // namespace xl
