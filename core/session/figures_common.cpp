#include "core/session/figures.hpp"

namespace xl {

std::string config_name(const ConfigResult& c) { return std::string(1, c.label) + ": " + c.method; }

void add_common_meta(FigureSpec& f, const Results& r) {
    f.meta["model"] = r.model_name + " (" + r.model_path + ")";
    f.meta["text"] = r.text_path + " (" + std::to_string(r.text_tokens) + " tokens)";
    f.meta["device"] = r.device;
    f.meta["protocol"] = r.protocol + " - " + r.protocol_description;
    f.meta["train_length"] = std::to_string(r.train_length);
    f.meta["eval_length"] = std::to_string(r.eval_length);
    f.meta["rope_layout"] = r.config.rope_layout == RopeLayout::NeoX ? "neox (j, j+d/2)" : "normal (2j, 2j+1)";
    for (const ConfigResult& c : r.configs)
        f.meta[std::string("config ") + c.label] = c.method + (c.convention.empty() ? "" : " [convention " + c.convention + "]");
}

std::vector<FigureSpec> panel_figures(const std::string& panel, const Results& r, const ViewState& v) {
    std::vector<FigureSpec> out;
    const int ci = r.configs.empty() ? 0 : std::min<int>(v.active_config, int(r.configs.size()) - 1);
    if (panel == "perplexity") {
        out.push_back(figure_ppl_vs_length(r));
        out.push_back(figure_position_loss(r, v.smoothing));
        if (r.configs.size() > 1) out.push_back(figure_position_loss_diff(r, v.smoothing));
        if (has_position_kl(r)) out.push_back(figure_position_kl(r, v.smoothing));
    } else if (panel == "attention") {
        for (size_t i = 0; i < r.configs.size(); ++i) out.push_back(figure_attention(r, int(i), v));
    } else if (panel == "rope_phase" && r.config.position == PositionSignal::RoPE) {
        out.push_back(figure_rope_phase_curves(r, ci, v.phase_pairs));
        out.push_back(figure_rope_phase_strip(r, ci, false));
        out.push_back(figure_rope_phase_strip(r, ci, true));
    } else if (panel == "freq_remap" && r.config.position == PositionSignal::RoPE) {
        out.push_back(figure_inv_freq(r));
        out.push_back(figure_wavelength(r));
    } else if (panel == "logit_decay") {
        if (r.config.position == PositionSignal::RoPE) out.push_back(figure_logit_bound(r));
        out.push_back(figure_logit_live(r));
    } else if (panel == "alibi") {
        out.push_back(figure_alibi_slopes(r));
        out.push_back(figure_alibi_bias(r, ci, std::max(0, v.head)));
        out.push_back(figure_receptive_field(r, v.layer));
    } else if (panel == "positions") {
        for (size_t i = 0; i < r.configs.size(); ++i) out.push_back(figure_relative_positions(r, int(i), v.positions_tokens));
        for (FigureSpec& f : training_figures(r, v)) out.push_back(std::move(f));
    } else if (panel == "entropy") {
        out.push_back(figure_entropy(r, ci, v.smoothing));
    } else if (panel == "evict") {
        out = evict_figures(r);
    } else if (panel == "posvec") {
        out = posvec_figures(r, v);
    } else if (panel == "needle") {
        out = needle_figures(r, v);
    } else if (panel == "logit_spread") {
        out = logit_spread_figures(r, v);
    }
    for (FigureSpec& f : out) f.font_family = v.font_family;
    return out;
}

}  // namespace xl
