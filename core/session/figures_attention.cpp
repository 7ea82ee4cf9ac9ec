// Attention map, entropy and ALiBi figures.
#include <algorithm>
#include <cmath>

#include "core/session/figures.hpp"

namespace xl {

namespace {

// Trailing moving average over the last w values (w <= 1: unchanged).
std::vector<double> moving_average(const std::vector<double>& v, int w) {
    if (w <= 1) return v;
    std::vector<double> out(v.size());
    double sum = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        sum += v[i];
        if (i >= size_t(w)) sum -= v[i - w];
        out[i] = sum / double(std::min(i + 1, size_t(w)));
    }
    return out;
}

std::string head_name(int head) { return head < 0 ? "mean of heads" : "head " + std::to_string(head); }

}  // namespace

FigureSpec figure_attention(const Results& r, int ci, const ViewState& v) {
    FigureSpec f;
    const ConfigResult& c = r.configs.at(size_t(ci));
    const AttentionGrid& a = c.attention;
    f.id = std::string("attention_") + c.label;
    f.title = config_name(c) + " - layer " + std::to_string(a.layer) + ", " + head_name(a.head);
    f.x = {"Key position", "tokens", AxisScale::Linear};
    f.x.csv_name = "key_position";
    f.y = {"Query position", "tokens", AxisScale::Linear};
    f.y.csv_name = "query_position";
    f.width_in = 3.5;
    f.height_in = 3.0;
    f.legend = false;
    Heatmap h;
    h.rows = a.rows;
    h.cols = a.cols;
    h.values = a.p;
    h.x0 = 0; h.x1 = a.seq_len;
    h.y0 = 0; h.y1 = a.seq_len;
    h.colormap = v.colormap;
    h.log_scale = v.log_color;
    if (h.log_scale) h.vmin = 1e-5;
    h.colorbar_label = a.rows < a.seq_len ? "attention (block mean)" : "attention probability";
    f.heatmap = std::move(h);
    if (r.train_length > 0 && r.train_length < a.seq_len) {
        f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train", {1, 1, 1, 0.9f}});
        f.markers.push_back({MarkerKind::Horizontal, double(r.train_length), "", {1, 1, 1, 0.9f}});
    }
    add_common_meta(f, r);
    f.meta["reduction"] = std::to_string(a.rows) + "x" + std::to_string(a.cols) + " blocks of " +
                          std::to_string(a.seq_len) + " tokens, averaged (future cells masked)";
    return f;
}

FigureSpec figure_entropy(const Results& r, int ci, int smoothing) {
    FigureSpec f;
    f.id = "entropy";
    f.title = "Attention entropy vs position";
    f.x = {"Query position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"Entropy", "nats", AxisScale::Linear};
    f.y.csv_name = "entropy_nats";
    if (!r.configs.empty()) {
        const ConfigResult& c = r.configs.at(size_t(ci));
        for (size_t l = 0; l < c.entropy.size(); ++l) {
            Series s{std::string(1, c.label) + " layer " + std::to_string(l), {}, {}};
            s.width_pt = 1.0f;
            const std::vector<double> e = moving_average(c.entropy[l], smoothing);
            for (size_t i = 0; i < e.size(); ++i) { s.x.push_back(double(i)); s.y.push_back(e[i]); }
            f.series.push_back(std::move(s));
        }
        for (const ConfigResult& o : r.configs) {  // other configurations: mean over layers, dashed
            if (&o == &c || o.entropy.empty()) continue;
            Series s{std::string(1, o.label) + " mean of layers", {}, {}};
            s.style = LineStyle::Dashed;
            s.width_pt = 1.5f;
            // Greys and line styles keep the other configurations apart from the per-layer colours.
            const float g = 0.2f + 0.2f * float((o.label - 'A') % 3);
            s.color = {g, g, g, 1};
            s.style = (o.label - 'A') % 2 ? LineStyle::Dashed : LineStyle::Dotted;
            std::vector<double> mean(o.entropy[0].size(), 0.0);
            for (const auto& layer : o.entropy)
                for (size_t i = 0; i < mean.size() && i < layer.size(); ++i) mean[i] += layer[i] / double(o.entropy.size());
            mean = moving_average(mean, smoothing);
            for (size_t i = 0; i < mean.size(); ++i) { s.x.push_back(double(i)); s.y.push_back(mean[i]); }
            f.series.push_back(std::move(s));
        }
        Series uni{"uniform ln(i+1)", {}, {}};
        uni.style = LineStyle::Dotted;
        uni.color = {0.5f, 0.5f, 0.5f, 1};
        const size_t n = c.entropy.empty() ? 0 : c.entropy[0].size();
        for (size_t i = 0; i < n; i += std::max<size_t>(1, n / 256)) { uni.x.push_back(double(i)); uni.y.push_back(std::log(double(i + 1))); }
        f.series.push_back(std::move(uni));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    add_common_meta(f, r);
    f.meta["entropy"] = "per query row -sum p ln p, mean over heads, trailing moving average over " + std::to_string(std::max(1, smoothing)) + " positions";
    return f;
}

FigureSpec figure_alibi_slopes(const Results& r) {
    FigureSpec f;
    f.id = "alibi_slopes";
    f.title = "ALiBi slope per head";
    f.x = {"Head", "", AxisScale::Linear};
    f.x.csv_name = "head";
    f.y = {"Slope m_h", "", AxisScale::Log};
    f.y.csv_name = "slope";
    for (const ConfigResult& c : r.configs) {
        Series s{config_name(c), {}, {}};
        s.markers = true;
        for (size_t h = 0; h < c.plan.alibi_slopes.size(); ++h) { s.x.push_back(double(h)); s.y.push_back(c.plan.alibi_slopes[h]); }
        f.series.push_back(std::move(s));
    }
    add_common_meta(f, r);
    return f;
}

FigureSpec figure_alibi_bias(const Results& r, int ci, int head) {
    FigureSpec f;
    const ConfigResult& c = r.configs.at(size_t(ci));
    f.id = "alibi_bias";
    f.title = config_name(c) + " - ALiBi bias, head " + std::to_string(head);
    f.x = {"Key position j", "", AxisScale::Linear};
    f.y = {"Query position i", "", AxisScale::Linear};
    f.width_in = 3.5;
    f.height_in = 3.0;
    const int n = std::min(r.eval_length, 128);
    const double slope = head < int(c.plan.alibi_slopes.size()) ? c.plan.alibi_slopes[size_t(head)] : 0.0;
    Heatmap h;
    h.rows = h.cols = n;
    h.x1 = h.y1 = n;
    h.colormap = "viridis";
    h.colorbar_label = "bias -m (i - j)";
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) h.values.push_back(j <= i ? float(-slope * (i - j)) : NAN);
    f.heatmap = std::move(h);
    add_common_meta(f, r);
    f.meta["slope"] = std::to_string(slope);
    return f;
}

FigureSpec figure_receptive_field(const Results& r, int layer) {
    FigureSpec f;
    f.id = "receptive_field";
    f.title = "Attention mass within distance d (layer " + std::to_string(layer) + ")";
    f.x = {"Distance d + 1", "tokens", AxisScale::Log};
    f.x.csv_name = "distance";
    f.y = {"Mass within d", "", AxisScale::Linear};
    f.y.csv_name = "mass";
    f.y.min = 0;
    f.y.max = 1.02;
    for (const ConfigResult& c : r.configs) {
        if (layer >= int(c.receptive.size())) continue;
        Series s{config_name(c), {}, {}};
        const auto& m = c.receptive[size_t(layer)];
        for (size_t d = 0; d < m.size(); ++d) { s.x.push_back(double(d + 1)); s.y.push_back(m[d]); }
        f.series.push_back(std::move(s));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    add_common_meta(f, r);
    f.meta["x"] = "d + 1 (so that distance 0 fits on the log axis)";
    return f;
}

}  // namespace xl
