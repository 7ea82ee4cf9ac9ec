// Results -> FigureSpec for every plot of every panel (DESIGN.md #11). The app draws these specs
// interactively and exports them; `extrapolab figure` writes the same specs headless, so the
// screen and the paper figure show the same data.
//
//   for (const FigureSpec& f : panel_figures("perplexity", results, view)) write_svg(f, ...);
//   PerplexityTable t = perplexity_table(results);       // YaRN repository CSV layout
#pragma once
#include <string>
#include <vector>

#include "core/io/csv_writer.hpp"
#include "core/io/figure_spec.hpp"
#include "core/metrics/eval_sweep.hpp"
#include "core/session/results.hpp"
#include "core/session/view_state.hpp"

namespace xl {

struct PositionSample;            // core/posenc/training_positions.hpp
struct TrainingPositionOptions;

// Meta entries every figure carries: model, text, device, protocol, one line per configuration
// with its canonical method spec and convention.
void add_common_meta(FigureSpec& f, const Results& r);
std::string config_name(const ConfigResult& c);   // "A: yarn:s=4,orig=512"

// Perplexity panel.
FigureSpec figure_ppl_vs_length(const Results& r);
FigureSpec figure_position_loss(const Results& r, int smoothing);
// Per-position loss of B, C, D minus that of A (same smoothing), zero line marked.
FigureSpec figure_position_loss_diff(const Results& r, int smoothing);
// KL(P_A ‖ P_X) per position for B, C, D (when the backend returned the window's logits).
FigureSpec figure_position_kl(const Results& r, int smoothing);
bool has_position_kl(const Results& r);
PerplexityTable perplexity_table(const Results& r);
// An opened sweep (core/metrics/sweep_results.hpp): perplexity vs length per method; `source`
// (the file or folder) goes into the meta.
FigureSpec figure_sweep_ppl(const EvalTable& t, const std::string& source);
// Attention map of configuration `ci` (the probed layer/head).
FigureSpec figure_attention(const Results& r, int ci, const ViewState& v);
// RoPE phase: wrapped angle vs position of a few pairs (curves), and pair × position strip.
FigureSpec figure_rope_phase_curves(const Results& r, int ci, int pairs);
FigureSpec figure_rope_phase_strip(const Results& r, int ci, bool remapped);
// Frequency remap: inverse frequency and wavelength per pair for every configuration.
FigureSpec figure_inv_freq(const Results& r);
FigureSpec figure_wavelength(const Results& r);
// Logit decay: RoFormer bound and live layer-0 q·k vs distance.
FigureSpec figure_logit_bound(const Results& r);
FigureSpec figure_logit_live(const Results& r);
// ALiBi: per-head slopes, bias matrix of one head, receptive field per configuration.
FigureSpec figure_alibi_slopes(const Results& r);
FigureSpec figure_alibi_bias(const Results& r, int ci, int head);
FigureSpec figure_receptive_field(const Results& r, int layer);
// Positions: the relative-position matrix (and mask) of configuration ci over the first n tokens.
FigureSpec figure_relative_positions(const Results& r, int ci, int n);
// Entropy vs position per layer (configuration ci), plus the layer mean of the others dashed.
FigureSpec figure_entropy(const Results& r, int ci, int smoothing = 1);

// Positional vectors (figures_posvec.cpp) of the view's layer: norm vs position, trajectory in the
// plane of PC1–PC2 (pair 0) or PC2–PC3 (pair 1), PC1/PC2 vs position; and every layer's explained
// variance and beyond-range in-plane share. posvec_figures: the four, or none before they exist.
bool has_posvec(const Results& r);
// smoothing > 1: a trailing mean over that many positions (the view's smoothing) of what is drawn.
FigureSpec figure_posvec_norm(const Results& r, int layer, int smoothing = 1);
FigureSpec figure_posvec_trajectory(const Results& r, int layer, int pair, int smoothing = 1);
FigureSpec figure_posvec_components(const Results& r, int layer, int smoothing = 1);
FigureSpec figure_posvec_layers(const Results& r);
std::vector<FigureSpec> posvec_figures(const Results& r, const ViewState& v);

// Needle (figures_needle.cpp): per configuration, accuracy and answer log-probability over depth ×
// length of each task (task = index into the grid's tasks), the retrieval score and the answer's
// attention on the needle per layer × head (cell −1: over every cell), the retrieval map minus A's;
// over all configurations, retrieval heads and log-probability vs the distance to the needle.
bool has_needle(const Results& r);
std::string needle_cell_name(const NeedleCell& c);   // "passkey, 2048 tokens, depth 0.5"
FigureSpec figure_needle_accuracy(const Results& r, int ci, int task);
FigureSpec figure_needle_logprob(const Results& r, int ci, int task);
FigureSpec figure_needle_retrieval(const Results& r, int ci, int cell);
FigureSpec figure_needle_mass(const Results& r, int ci, int cell);
FigureSpec figure_needle_retrieval_diff(const Results& r, int ci, int cell);
FigureSpec figure_needle_reach(const Results& r);
FigureSpec figure_needle_logprob_distance(const Results& r);
std::vector<FigureSpec> needle_figures(const Results& r, const ViewState& v);
// Attention logits (figures_logit_spread.cpp): quantiles of the pre-softmax logits per distance
// bucket of one layer (−1: all layers together), every configuration overlaid; the per-layer
// 1-99 % spread. logit_spread_figures: the two (the view's logit_layer), or none before they exist.
bool has_logit_spread(const Results& r);
FigureSpec figure_logit_spread(const Results& r, int layer);
FigureSpec figure_logit_spread_layers(const Results& r);
std::vector<FigureSpec> logit_spread_figures(const Results& r, const ViewState& v);

// Training-time position sampling (figures_training.cpp): the ids of each sampled sequence vs
// token index, and how often each relative distance 0..target−1 is seen by plain training,
// Randomized PE and PoSE (mean pairs per sequence over `samples` sequences each).
FigureSpec figure_training_positions(const TrainingPositionOptions& o, const std::vector<PositionSample>& samples);
FigureSpec figure_training_coverage(const TrainingPositionOptions& o, int samples);
// The two above for the view's sampler and target factor over the model's training length.
std::vector<FigureSpec> training_figures(const Results& r, const ViewState& v);

// KV-cache eviction (figures_evict.cpp): perplexity vs budget per method and the kept-token map;
// none before the grid exists.
std::vector<FigureSpec> evict_figures(const Results& r);

// All figures of one panel ("perplexity", "attention", ...); empty for panels without plots.
std::vector<FigureSpec> panel_figures(const std::string& panel, const Results& r, const ViewState& v);

}  // namespace xl
