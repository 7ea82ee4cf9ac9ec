// Positional vectors panel figures (Dong et al., 2024): the norm of the mean hidden state per
// position, its trajectory in the plane of two principal components (fitted inside the training
// length; positions beyond it dashed), the components against position, and per layer the
// variance the kept components explain and the share of the beyond-range positions on their plane.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/session/figures.hpp"

namespace xl {

namespace {

// The layer of `pv` numbered `layer` (or the nearest one listed).
const LayerPositionalVectors* find_layer(const PositionalVectors& pv, int layer) {
    const LayerPositionalVectors* best = nullptr;
    for (const LayerPositionalVectors& l : pv.layers)
        if (!best || std::abs(l.layer - layer) < std::abs(best->layer - layer)) best = &l;
    return best;
}

// Trailing mean over the last w values (positions from .. t), as the loss plots smooth: the
// averaging noise of few windows hides the trend otherwise.
std::vector<double> trailing(const std::vector<double>& y, size_t from, int w) {
    std::vector<double> out(y.size(), NAN);
    double sum = 0;
    for (size_t t = from; t < y.size(); ++t) {
        sum += y[t];
        if (t >= from + size_t(w)) sum -= y[t - size_t(w)];
        out[t] = sum / double(std::min(t - from + 1, size_t(w)));
    }
    return out;
}

std::string percent(double share) {
    char b[16];
    std::snprintf(b, sizeof b, "%.0f%%", 100 * share);
    return b;
}

// Meta of every posvec figure; layer < 0 (the per-layer plot) leaves out the one-layer entries.
void posvec_meta(FigureSpec& f, const Results& r, int layer) {
    add_common_meta(f, r);
    f.meta["positional_vectors"] = "mean over windows of the residual stream after block " +
                                   (layer < 0 ? std::string("l") : std::to_string(layer)) +
                                   " (Dong et al., 2024, 'Exploring Context Window of Large Language Models via "
                                   "Decomposed Positional Vectors')";
    f.meta["windows"] = std::to_string(r.posvec_windows) + " consecutive non-overlapping windows of " +
                        std::to_string(r.eval_length) + " tokens, first token replaced by BOS";
    f.meta["pca"] = "centred across positions, fitted on positions 1 .. training length - 1 (position 0, BOS in every "
                    "window, left out of the fit and of the plots), every other position projected";
    for (const ConfigResult& c : r.configs) {
        if (!c.posvec || layer < 0) continue;
        const LayerPositionalVectors* l = find_layer(*c.posvec, layer);
        if (!l) continue;
        std::string ev;
        for (size_t i = 0; i < l->explained.size(); ++i) ev += (i ? ", PC" : "PC") + std::to_string(i + 1) + " " + percent(l->explained[i]);
        f.meta[std::string("explained ") + c.label] = ev + " of positions " + std::to_string(c.posvec->fit_from) + ".." +
                                                      std::to_string(c.posvec->fitted - 1);
        if (!l->norm.empty()) f.meta[std::string("norm at position 0 ") + c.label] = std::to_string(l->norm[0]) + " (BOS, not drawn)";
        if (std::isfinite(l->noise_share))
            f.meta[std::string("noise share ") + c.label] = std::to_string(l->noise_share) +
                                                            " of the fitted variance is window-averaging noise";
    }
}

void add_train_marker(FigureSpec& f, const Results& r) {
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
}

}  // namespace

bool has_posvec(const Results& r) {
    for (const ConfigResult& c : r.configs)
        if (c.posvec && !c.posvec->layers.empty()) return true;
    return false;
}

namespace {
void smoothing_meta(FigureSpec& f, int w) {
    f.meta["smoothing"] = w > 1 ? "trailing mean over " + std::to_string(w) + " positions (drawn; CSV of the CLI is raw)" : "none";
    if (w > 1) f.title += " (moving average " + std::to_string(w) + ")";
}
}  // namespace

FigureSpec figure_posvec_norm(const Results& r, int layer, int smoothing) {
    FigureSpec f;
    f.id = "posvec_norm";
    f.title = "Positional vector norm, layer " + std::to_string(layer);
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"||p(t)||", "", AxisScale::Linear};
    f.y.csv_name = "norm";
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        const LayerPositionalVectors* l = c.posvec ? find_layer(*c.posvec, layer) : nullptr;
        Series s{config_name(c), {}, {}};
        s.color = palette_color(int(k));
        s.width_pt = 1.0f;
        if (l) {
            const size_t from = size_t(c.posvec->fit_from);
            const std::vector<double> y = trailing(l->norm, from, std::max(1, smoothing));
            for (size_t t = from; t < y.size(); ++t) {
                s.x.push_back(double(t));
                s.y.push_back(y[t]);
            }
        }
        f.series.push_back(std::move(s));
    }
    add_train_marker(f, r);
    posvec_meta(f, r, layer);
    smoothing_meta(f, smoothing);
    return f;
}

FigureSpec figure_posvec_trajectory(const Results& r, int layer, int pair, int smoothing) {
    const size_t a = pair == 1 ? 1 : 0, b = a + 1;
    FigureSpec f;
    f.id = "posvec_trajectory";
    f.title = "PC" + std::to_string(a + 1) + "-PC" + std::to_string(b + 1) + " trajectory, layer " + std::to_string(layer) +
              " (dashed: beyond train)";
    f.x = {"PC" + std::to_string(a + 1), "", AxisScale::Linear};
    f.x.csv_name = "pc" + std::to_string(a + 1);
    f.y = {"PC" + std::to_string(b + 1), "", AxisScale::Linear};
    f.y.csv_name = "pc" + std::to_string(b + 1);
    f.width_in = 3.5;
    f.height_in = 3.0;
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        const LayerPositionalVectors* l = c.posvec ? find_layer(*c.posvec, layer) : nullptr;
        const Rgba colour = palette_color(int(k));
        std::string name = config_name(c);
        if (l && l->pc.size() > b) name += " (" + percent(l->explained[a]) + ", " + percent(l->explained[b]) + ")";
        Series inside{name, {}, {}}, beyond{std::string(1, c.label) + " beyond training length", {}, {}};
        Series start{std::string(1, c.label) + " first fitted position", {}, {}}, edge{std::string(1, c.label) + " training length", {}, {}};
        inside.color = beyond.color = start.color = edge.color = colour;
        beyond.style = LineStyle::Dashed;
        beyond.legend = start.legend = edge.legend = false;
        start.markers = edge.markers = true;
        if (l && l->pc.size() > b) {
            const int fitted = c.posvec->fitted, n = int(l->pc[a].size()), from = c.posvec->fit_from;
            const int w = std::max(1, smoothing);
            const std::vector<double> xa = trailing(l->pc[a], size_t(from), w), yb = trailing(l->pc[b], size_t(from), w);
            for (int t = from; t < n; ++t) {
                // the beyond part starts at the last fitted position so the two lines join
                if (t < fitted) { inside.x.push_back(xa[size_t(t)]); inside.y.push_back(yb[size_t(t)]); }
                if (t >= fitted - 1 && fitted < n) { beyond.x.push_back(xa[size_t(t)]); beyond.y.push_back(yb[size_t(t)]); }
            }
            start.x = {xa[size_t(from)]};
            start.y = {yb[size_t(from)]};
            if (fitted < n) {
                edge.x = {xa[size_t(fitted)]};
                edge.y = {yb[size_t(fitted)]};
            }
        }
        f.series.push_back(std::move(inside));
        f.series.push_back(std::move(beyond));
        f.series.push_back(std::move(start));
        if (!edge.x.empty()) f.series.push_back(std::move(edge));
    }
    posvec_meta(f, r, layer);
    smoothing_meta(f, smoothing);
    f.meta["markers"] = "dot at the first fitted position (1) and at the first position beyond the training length";
    return f;
}

FigureSpec figure_posvec_components(const Results& r, int layer, int smoothing) {
    FigureSpec f;
    f.id = "posvec_components";
    f.title = "Principal components vs position, layer " + std::to_string(layer) + " (solid PC1, dashed PC2)";
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"Coordinate", "", AxisScale::Linear};
    f.y.csv_name = "coordinate";
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        const LayerPositionalVectors* l = c.posvec ? find_layer(*c.posvec, layer) : nullptr;
        for (size_t i = 0; i < 2; ++i) {
            Series s{config_name(c) + " PC" + std::to_string(i + 1), {}, {}};
            s.color = palette_color(int(k));
            s.width_pt = 1.0f;
            s.style = i == 0 ? LineStyle::Solid : LineStyle::Dashed;
            if (l && l->pc.size() > i) {
                const size_t from = size_t(c.posvec->fit_from);
                const std::vector<double> y = trailing(l->pc[i], from, std::max(1, smoothing));
                for (size_t t = from; t < y.size(); ++t) {
                    s.x.push_back(double(t));
                    s.y.push_back(y[t]);
                }
            }
            f.series.push_back(std::move(s));
        }
    }
    add_train_marker(f, r);
    posvec_meta(f, r, layer);
    smoothing_meta(f, smoothing);
    return f;
}

FigureSpec figure_posvec_layers(const Results& r) {
    FigureSpec f;
    f.id = "posvec_layers";
    f.title = "Per layer: explained variance (solid), beyond-range share on the plane (dashed), noise share (dotted)";
    f.x = {"Layer", "", AxisScale::Linear};
    f.x.csv_name = "layer";
    f.y = {"Share", "", AxisScale::Linear};
    f.y.csv_name = "share";
    f.y.min = 0;
    f.y.max = 1;
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        Series ev{config_name(c) + " explained", {}, {}}, plane{std::string(1, c.label) + " beyond on plane", {}, {}};
        Series noise{std::string(1, c.label) + " noise share", {}, {}};
        ev.color = plane.color = noise.color = palette_color(int(k));
        ev.markers = plane.markers = true;
        plane.style = LineStyle::Dashed;
        noise.style = LineStyle::Dotted;
        noise.legend = false;
        if (c.posvec)
            for (const LayerPositionalVectors& l : c.posvec->layers) {
                double sum = 0;
                for (double e : l.explained) sum += e;
                ev.x.push_back(l.layer);
                ev.y.push_back(sum);
                if (std::isfinite(l.beyond_in_plane)) {
                    plane.x.push_back(l.layer);
                    plane.y.push_back(l.beyond_in_plane);
                }
                if (std::isfinite(l.noise_share)) {
                    noise.x.push_back(l.layer);
                    noise.y.push_back(std::min(1.0, l.noise_share));
                }
            }
        f.series.push_back(std::move(ev));
        if (!plane.x.empty()) f.series.push_back(std::move(plane));
        if (!noise.x.empty()) f.series.push_back(std::move(noise));
    }
    posvec_meta(f, r, -1);
    f.meta["explained"] = "share of the fitted positions' variance along the kept components (sum)";
    f.meta["beyond_on_plane"] = "share of the beyond-range positions' centred energy inside the kept components' plane";
    f.meta["noise_share"] = "expected window-averaging noise tr Cov_w(h) / W over the fitted variance (capped at 1 in the plot)";
    return f;
}

std::vector<FigureSpec> posvec_figures(const Results& r, const ViewState& v) {
    if (!has_posvec(r)) return {};
    const int layer = std::clamp(v.posvec_layer, 0, std::max(0, r.config.n_layers - 1));
    const int w = std::max(1, v.smoothing);
    return {figure_posvec_trajectory(r, layer, v.posvec_pair, w), figure_posvec_norm(r, layer, w),
            figure_posvec_components(r, layer, w), figure_posvec_layers(r)};
}

}  // namespace xl
