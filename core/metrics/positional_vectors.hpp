// Positional vectors (Dong et al., 2024, "Exploring Context Window of Large Language Models via
// Decomposed Positional Vectors", §3): the mean over windows w of the residual stream after block
// l at position t,  p_l(t) = (1/W) Σ_w h_l(w, t),  which averages the token content away and keeps
// what depends on position. Per layer we report ‖p_l(t)‖ and the top principal components of
// {p_l(t)}, centred across positions and fitted on the positions 1 .. T−1 inside the training
// length T (position 0, BOS in every window, is the attention sink whose hidden state is an
// outlier that would be PC1 by itself; it is projected, not fitted), with every position (also
// those beyond T) projected on them: beyond T a method either keeps the trajectory on the fitted
// plane or lets it leave it. With W windows the mean still carries content noise of energy
// tr Cov_w(h(w, t)) / W per position (the squared standard error), reported beside it.
//
//   PositionalVectorOptions o; o.length = 2048; o.windows = 8; o.train_length = 512;
//   MeanHidden m = mean_hidden_states(forward, model.config, tokens, bos, plan, o);     // windows of the "all" protocol
//   PositionalVectors pv = analyse_positional_vectors(m, o);
//   pv.layers[l].pc[0][t], pv.layers[l].explained[0], pv.layers[l].norm[t]
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"

namespace xl {

struct PositionalVectorOptions {
    int length = 0;              // window length n (tokens)
    int windows = 8;             // windows averaged (the first W of the text); 0 = every window
    std::vector<int> layers;     // layers to report (empty = all)
    int components = 3;          // principal components kept (1..8)
    int train_length = 0;        // positions [fit_from, min(n, train_length)) fit the PCA (0 = up to n)
    int fit_from = 1;            // first fitted position (1: leave the BOS sink out of the fit)
};

// Mean hidden state per position over the windows, one n × dim matrix per reported layer.
struct MeanHidden {
    int length = 0, dim = 0, windows = 0;
    std::vector<int> layers;
    std::vector<std::vector<float>> mean;  // [layer index][t * dim + j]
    // [layer index][t]: tr Cov_w(h(w, t)) / W = Σ_w ‖h(w, t) − p(t)‖² / (W (W − 1)), the expected
    // ‖p(t) − E p(t)‖² left by averaging W windows (NaN for W = 1).
    std::vector<std::vector<double>> noise;
};

// Consecutive non-overlapping windows [w·n, (w+1)·n) of `tokens` (the "all" protocol's windows),
// the first token of each replaced by `bos` when bos >= 0 (so position 0 is the same token in
// every window), each run with `plan` and no classifier. `window_done(w, W)` after each window
// (may throw to cancel; so may the forward's checkpoint, passed through). Error(BadArgument)
// when no window of n tokens fits the text or a layer is out of range.
MeanHidden mean_hidden_states(Forward& forward, const ModelConfig& config, const std::vector<int>& tokens, int bos,
                              const PositionPlan& plan,
                              const PositionalVectorOptions& o, const std::function<void(int, int)>& window_done = {},
                              const std::function<void()>& checkpoint = {});

struct LayerPositionalVectors {
    int layer = 0;
    std::vector<double> norm;               // ‖p(t)‖ per position t
    std::vector<std::vector<double>> pc;    // [component][t]: (p(t) − centre) · component
    std::vector<double> explained;          // per component: share of the fitted positions' variance
    double norm_inside = 0;                 // mean ‖p(t)‖ over the fitted positions
    double norm_beyond = 0;                 // ... over positions ≥ the training length (NaN if none)
    // Share of the beyond-range positions' centred energy Σ‖p(t) − centre‖² that lies in the
    // plane of the kept components (1 = they stay on the in-range trajectory; NaN if none).
    double beyond_in_plane = 0;
    // Σ noise(t) / Σ ‖p(t) − centre‖² over the fitted positions: the share of the variance the PCA
    // sees that window-averaging noise accounts for (near 1: more windows needed; NaN for W = 1).
    double noise_share = 0;
    bool converged = true;                  // the PCA's iteration met its tolerance
};

struct PositionalVectors {
    int length = 0, dim = 0, windows = 0;
    int fitted = 0;                          // end of the fitted positions [fit_from, fitted)
    int fit_from = 1;
    int train_length = 0;
    std::vector<LayerPositionalVectors> layers;
};

PositionalVectors analyse_positional_vectors(const MeanHidden& m, const PositionalVectorOptions& o);

}  // namespace xl
