// Attention logits panel figures (core/metrics/logit_spread.hpp): the quantiles of the
// pre-softmax logits per octave distance bucket of one layer (or all layers together), every
// configuration overlaid (median line, 25-75 % dashed, 1-99 % band), the training length marked;
// and per layer the 1-99 % spread of the farthest bucket inside the training length and of the
// farthest bucket overall.
#include <algorithm>
#include <cmath>

#include "core/session/figures.hpp"

namespace xl {

namespace {

const LayerLogitSpread* find_layer(const LogitSpread& s, int layer) {
    for (const LayerLogitSpread& l : s.layers)
        if (l.layer == layer) return &l;
    return nullptr;
}

void logit_meta(FigureSpec& f, const Results& r) {
    add_common_meta(f, r);
    f.meta["logits"] = "pre-softmax query_scale * (q . k) of every head and visible query/key pair (ALiBi bias left out), "
                       "one forward pass of " + std::to_string(r.eval_length) + " tokens";
    f.meta["buckets"] = "octave distance buckets: d = 0, 1, 2-3, 4-7, ...; x = bucket centre d + 1";
    f.meta["resolution"] = "quantiles read from 0.25-wide logit bins over [-32, 32) (within 0.25 of the exact quantile; "
                           "logits outside the range count in the end bins)";
}

}  // namespace

bool has_logit_spread(const Results& r) {
    for (const ConfigResult& c : r.configs)
        if (c.logit_spread && !c.logit_spread->layers.empty()) return true;
    return false;
}

FigureSpec figure_logit_spread(const Results& r, int layer) {
    FigureSpec f;
    f.id = "logit_spread";
    f.title = std::string("Attention logits by distance (") + (layer < 0 ? "all layers" : "layer " + std::to_string(layer)) + ")";
    f.x = {"Distance d + 1", "tokens", AxisScale::Log};
    f.x.csv_name = "distance";
    f.y = {"Logit", "", AxisScale::Linear};
    f.y.csv_name = "logit";
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        const LayerLogitSpread* l = c.logit_spread ? find_layer(*c.logit_spread, layer) : nullptr;
        if (!l) continue;
        Series med{config_name(c) + " median", {}, {}}, q25{std::string(1, c.label) + " 25%", {}, {}};
        Series q75{std::string(1, c.label) + " 75%", {}, {}};
        med.color = q25.color = q75.color = palette_color(int(k));
        med.markers = true;
        q25.style = q75.style = LineStyle::Dashed;
        q25.width_pt = q75.width_pt = 0.75f;
        q25.legend = q75.legend = false;
        Band band{std::string(1, c.label) + " 1-99%", {}, {}, {}, int(f.series.size())};
        band.color = palette_color(int(k));
        band.opacity = 0.15f;
        for (const LogitBucket& b : l->buckets) {
            const double x = 0.5 * double(b.first + b.last) + 1;
            med.x.push_back(x);
            med.y.push_back(b.q[2]);
            q25.x.push_back(x);
            q25.y.push_back(b.q[1]);
            q75.x.push_back(x);
            q75.y.push_back(b.q[3]);
            band.x.push_back(x);
            band.lo.push_back(b.q[0]);
            band.hi.push_back(b.q[4]);
        }
        f.series.push_back(std::move(med));
        f.series.push_back(std::move(q25));
        f.series.push_back(std::move(q75));
        f.bands.push_back(std::move(band));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    logit_meta(f, r);
    return f;
}

FigureSpec figure_logit_spread_layers(const Results& r) {
    FigureSpec f;
    f.id = "logit_spread_layers";
    f.title = "Per layer: 1-99% logit spread, farthest bucket (solid) and farthest inside training (dashed)";
    f.x = {"Layer", "", AxisScale::Linear};
    f.x.csv_name = "layer";
    f.y = {"q99 - q01", "", AxisScale::Linear};
    f.y.csv_name = "spread";
    for (size_t k = 0; k < r.configs.size(); ++k) {
        const ConfigResult& c = r.configs[k];
        if (!c.logit_spread) continue;
        Series far{config_name(c) + " farthest", {}, {}}, inside{std::string(1, c.label) + " inside training", {}, {}};
        far.color = inside.color = palette_color(int(k));
        far.markers = inside.markers = true;
        inside.style = LineStyle::Dashed;
        for (const LayerLogitSpread& l : c.logit_spread->layers) {
            if (l.layer < 0) continue;
            far.x.push_back(l.layer);
            far.y.push_back(l.spread_farthest);
            if (std::isfinite(l.spread_inside)) {
                inside.x.push_back(l.layer);
                inside.y.push_back(l.spread_inside);
            }
        }
        f.series.push_back(std::move(far));
        if (!inside.x.empty()) f.series.push_back(std::move(inside));
    }
    logit_meta(f, r);
    return f;
}

std::vector<FigureSpec> logit_spread_figures(const Results& r, const ViewState& v) {
    if (!has_logit_spread(r)) return {};
    const int layer = std::clamp(v.logit_layer, -1, std::max(0, r.config.n_layers - 1));
    return {figure_logit_spread(r, layer), figure_logit_spread_layers(r)};
}

}  // namespace xl
