// Perplexity panel figures: perplexity vs evaluation length, smoothed per-position loss.
#include <algorithm>
#include <cmath>

#include "core/session/figures.hpp"

namespace xl {

namespace {

// The training length as a vertical line, where it falls inside the x range drawn (up to x_max):
// a line far right of short evaluations would squeeze their data into the left edge.
void add_train_marker(FigureSpec& f, const Results& r, double x_max) {
    if (r.train_length > 0 && r.train_length <= x_max)
        f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
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
    add_train_marker(f, r, r.lengths.empty() ? 0.0 : double(*std::max_element(r.lengths.begin(), r.lengths.end())));
    add_common_meta(f, r);
    f.meta["max_windows"] = r.max_windows == 0 ? "all windows" : std::to_string(r.max_windows) + " per length";
    return f;
}

namespace {

// Trailing moving average over the last w finite values (causal: no look-ahead), from the first
// position where a full window (or the whole series, if shorter) is available.
Series trailing_mean(const std::string& name, const std::vector<double>& L, int w) {
    Series s{name, {}, {}};
    s.width_pt = 1.0f;
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
    return s;
}

void position_meta(FigureSpec& f, const Results& r, int w) {
    add_train_marker(f, r, double(r.eval_length));
    add_common_meta(f, r);
    f.meta["smoothing"] = "trailing moving average over " + std::to_string(w) + " positions";
    f.meta["window"] = "first window of the text (BOS at position 0)";
}

}  // namespace

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
    for (const ConfigResult& c : r.configs) f.series.push_back(trailing_mean(config_name(c), c.position_loss, w));
    position_meta(f, r, w);
    return f;
}

FigureSpec figure_position_loss_diff(const Results& r, int smoothing) {
    FigureSpec f;
    f.id = "position_loss_diff";
    const std::string base = r.configs.empty() ? std::string("A") : std::string(1, r.configs.front().label);
    f.title = "Loss difference to " + base + " per position (" + std::to_string(r.eval_length) + " tokens" +
              (smoothing > 1 ? ", moving average " + std::to_string(smoothing) : "") + ")";
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"Loss - loss of " + base, "nats/token", AxisScale::Linear};
    f.y.csv_name = "loss_diff_nats";
    const int w = std::max(1, smoothing);
    for (size_t k = 1; k < r.configs.size(); ++k) {
        const auto& a = r.configs.front().position_loss;
        const auto& b = r.configs[k].position_loss;
        std::vector<double> d(std::min(a.size(), b.size()));
        for (size_t i = 0; i < d.size(); ++i) d[i] = b[i] - a[i];  // non-finite where either is
        Series s = trailing_mean(std::string(1, r.configs[k].label) + " - " + base + ": " + r.configs[k].method, d, w);
        s.color = palette_color(int(k));  // the configuration's own colour, as in the loss plot
        f.series.push_back(std::move(s));
    }
    f.markers.push_back({MarkerKind::Horizontal, 0.0, ""});
    position_meta(f, r, w);
    f.meta["difference"] = "per-position loss of each configuration minus that of " + base + " (negative: better)";
    return f;
}

FigureSpec figure_position_kl(const Results& r, int smoothing) {
    FigureSpec f;
    f.id = "position_kl";
    const std::string base = r.configs.empty() ? std::string("A") : std::string(1, r.configs.front().label);
    f.title = "KL(" + base + " || X) of the next-token distributions per position" +
              (smoothing > 1 ? " (moving average " + std::to_string(smoothing) + ")" : "");
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"KL divergence", "nats", AxisScale::Linear};
    f.y.csv_name = "kl_nats";
    const int w = std::max(1, smoothing);
    for (size_t k = 1; k < r.configs.size(); ++k) {
        Series s = trailing_mean(std::string("KL(") + base + " || " + r.configs[k].label + "): " + r.configs[k].method,
                                 r.configs[k].kl_to_first, w);
        s.color = palette_color(int(k));
        f.series.push_back(std::move(s));
    }
    position_meta(f, r, w);
    f.meta["kl"] = "KL(P_" + base + " || P_X) of the next-token distributions, softmax in double (llama.cpp's --kl-divergence direction)";
    return f;
}

bool has_position_kl(const Results& r) {
    for (size_t k = 1; k < r.configs.size(); ++k)
        for (double x : r.configs[k].kl_to_first)
            if (std::isfinite(x)) return true;
    return false;
}

PerplexityTable perplexity_table(const Results& r) {
    PerplexityTable t;
    t.lengths = r.lengths;
    for (const ConfigResult& c : r.configs) t.rows.push_back({c.method, c.ppl});
    return t;
}

}  // namespace xl
