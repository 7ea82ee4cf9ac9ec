// Perplexity panel figures: perplexity vs evaluation length, smoothed per-position loss.
#include <algorithm>
#include <cmath>

#include "core/session/figures.hpp"

namespace xl {

namespace {

void add_train_marker(FigureSpec& f, const Results& r) {
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
}

}  // namespace

FigureSpec figure_ppl_vs_length(const Results& r) {
    FigureSpec f;
    f.id = "ppl_vs_length";
    f.title = "Perplexity vs evaluation length";
    f.x = {"Evaluation length", "tokens", AxisScale::Log};
    f.x.csv_name = "length_tokens";
    f.x.ticks.assign(r.lengths.begin(), r.lengths.end());
    f.y = {"Perplexity", "", AxisScale::Log};
    f.y.csv_name = "perplexity";
    for (const ConfigResult& c : r.configs) {
        Series s{config_name(c), {}, {}};
        s.markers = true;
        for (size_t k = 0; k < r.lengths.size() && k < c.ppl.size(); ++k) {
            s.x.push_back(r.lengths[k]);
            s.y.push_back(c.ppl[k]);
        }
        f.series.push_back(std::move(s));
    }
    add_train_marker(f, r);
    add_common_meta(f, r);
    f.meta["max_windows"] = r.max_windows == 0 ? "all windows" : std::to_string(r.max_windows) + " per length";
    return f;
}

FigureSpec figure_position_loss(const Results& r, int smoothing) {
    FigureSpec f;
    f.id = "position_loss";
    f.title = "Loss per position (" + std::to_string(r.eval_length) + " tokens" +
              (smoothing > 1 ? ", moving average " + std::to_string(smoothing) : "") + ")";
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"Loss", "nats/token", AxisScale::Linear};
    f.y.csv_name = "loss_nats";
    const int w = std::max(1, smoothing);
    for (const ConfigResult& c : r.configs) {
        Series s{config_name(c), {}, {}};
        s.width_pt = 1.0f;
        const auto& L = c.position_loss;
        // Trailing moving average over the last w scored positions (causal: no look-ahead).
        double sum = 0;
        int cnt = 0;
        for (size_t i = 0; i < L.size(); ++i) {
            if (std::isfinite(L[i])) { sum += L[i]; ++cnt; }
            if (i >= size_t(w) && std::isfinite(L[i - w])) { sum -= L[i - w]; --cnt; }
            if (cnt > 0 && (i + 1 >= size_t(std::min(w, int(L.size()))))) {
                s.x.push_back(double(i));
                s.y.push_back(sum / cnt);
            }
        }
        f.series.push_back(std::move(s));
    }
    add_train_marker(f, r);
    add_common_meta(f, r);
    f.meta["smoothing"] = "trailing moving average over " + std::to_string(w) + " positions";
    f.meta["window"] = "first window of the text (BOS at position 0)";
    return f;
}

PerplexityTable perplexity_table(const Results& r) {
    PerplexityTable t;
    t.lengths = r.lengths;
    for (const ConfigResult& c : r.configs) t.rows.push_back({c.method, c.ppl});
    return t;
}

}  // namespace xl
