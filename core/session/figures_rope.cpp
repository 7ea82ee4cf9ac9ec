// RoPE phase, frequency remap and logit-decay figures (position-methods.md §1, §5, §6, §9, §18).
#include <algorithm>
#include <cmath>

#include "core/posenc/rope_math.hpp"
#include "core/session/attention_stats.hpp"
#include "core/session/figures.hpp"

namespace xl {

namespace {

double wrap_angle(double a) {  // to (-π, π]
    const double two_pi = 2 * rope::kPi;
    a = std::fmod(a, two_pi);
    if (a > rope::kPi) a -= two_pi;
    if (a <= -rope::kPi) a += two_pi;
    return a;
}

// Pairs spread over the spectrum: 0, ..., half-1.
std::vector<int> chosen_pairs(int half, int count) {
    std::vector<int> out;
    count = std::clamp(count, 1, half);
    for (int k = 0; k < count; ++k) {
        const int j = count == 1 ? 0 : int(std::lround(double(k) * (half - 1) / (count - 1)));
        if (out.empty() || out.back() != j) out.push_back(j);
    }
    return out;
}

// Integer pair ticks (at most ~12 of them).
std::vector<double> pair_ticks(const Results& r) {
    int half = 0;
    for (const ConfigResult& c : r.configs) half = std::max(half, int(c.rope.inv_freq.size()));
    std::vector<double> t;
    const int step = std::max(1, (half + 11) / 12);
    for (int j = 0; j < half; j += step) t.push_back(j);
    return t;
}

float plan_position(const PositionPlan& p, int i) { return i < int(p.near.q_pos.size()) ? p.near.q_pos[i] : float(i); }

}  // namespace

FigureSpec figure_rope_phase_curves(const Results& r, int ci, int pairs) {
    FigureSpec f;
    const ConfigResult& c = r.configs.at(size_t(ci));
    f.id = "rope_phase_curves";
    f.title = "Rotation angle per pair - " + config_name(c);
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.x.csv_name = "position";
    f.y = {"Angle (wrapped)", "rad", AxisScale::Linear};
    f.y.csv_name = "angle_rad";
    f.y.min = -rope::kPi;
    f.y.max = rope::kPi;
    const int half = int(c.rope.inv_freq.size());
    const int n = r.eval_length;
    int k = 0;
    for (int j : chosen_pairs(std::max(half, 1), pairs)) {
        if (half == 0) break;
        Series before{"pair " + std::to_string(j) + " original", {}, {}};
        Series after{"pair " + std::to_string(j) + " " + std::string(1, c.label), {}, {}};
        before.color = after.color = palette_color(k++);
        before.style = LineStyle::Dotted;
        before.width_pt = after.width_pt = 0.9f;
        const int step = std::max(1, n / 1024);
        double prev_b = 0, prev_a = 0;
        for (int i = 0; i < n; i += step) {
            const double b = wrap_angle(i * c.rope.inv_freq_original[j]);
            const double a = wrap_angle(plan_position(c.plan, i) * c.rope.inv_freq[j]);
            // Break the line at each wrap so no vertical jumps are drawn.
            if (i > 0 && std::fabs(b - prev_b) > rope::kPi) { before.x.push_back(i - 0.5); before.y.push_back(NAN); }
            if (i > 0 && std::fabs(a - prev_a) > rope::kPi) { after.x.push_back(i - 0.5); after.y.push_back(NAN); }
            before.x.push_back(i); before.y.push_back(b);
            after.x.push_back(i); after.y.push_back(a);
            prev_b = b;
            prev_a = a;
        }
        f.series.push_back(std::move(before));
        f.series.push_back(std::move(after));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    f.height_in = 3.0;
    add_common_meta(f, r);
    return f;
}

FigureSpec figure_rope_phase_strip(const Results& r, int ci, bool remapped) {
    FigureSpec f;
    const ConfigResult& c = r.configs.at(size_t(ci));
    f.id = remapped ? "rope_phase_strip_after" : "rope_phase_strip_before";
    f.title = remapped ? "Phase per pair - " + config_name(c) : "Phase per pair - original RoPE";
    f.x = {"Position", "tokens", AxisScale::Linear};
    f.y = {"Pair j", "", AxisScale::Linear};
    f.height_in = 2.2;
    f.legend = false;
    const int half = int(c.rope.inv_freq.size());
    const int cols = std::min(r.eval_length, 512);
    Heatmap h;
    h.rows = half;
    h.cols = cols;
    h.x0 = 0; h.x1 = r.eval_length;
    h.y0 = 0; h.y1 = half;
    h.colormap = "diverging";
    h.vmin = -rope::kPi;
    h.vmax = rope::kPi;
    h.colorbar_label = "angle (rad)";
    for (int j = 0; j < half; ++j)
        for (int x = 0; x < cols; ++x) {
            const int i = int(int64_t(x) * r.eval_length / cols);
            const double a = remapped ? plan_position(c.plan, i) * c.rope.inv_freq[j] : i * c.rope.inv_freq_original[j];
            h.values.push_back(float(wrap_angle(a)));
        }
    f.heatmap = std::move(h);
    if (r.train_length > 0 && r.train_length < r.eval_length)
        f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train", {0, 0, 0, 1}});
    add_common_meta(f, r);
    return f;
}

// One configuration's tables: each layer kind's (Gemma 3: global, local) or the single one.
static std::vector<std::pair<std::string, const RopeTable*>> tables_of(const ConfigResult& c) {
    std::vector<std::pair<std::string, const RopeTable*>> out;
    for (const auto& [name, t] : c.kind_rope) out.emplace_back(name, &t);
    if (out.empty()) out.emplace_back("", &c.rope);
    return out;
}

FigureSpec figure_inv_freq(const Results& r) {
    FigureSpec f;
    f.id = "inv_freq";
    f.title = "Inverse frequency per pair";
    f.x = {"Pair j", "", AxisScale::Linear};
    f.x.csv_name = "pair";
    f.y = {"theta_j", "rad/token", AxisScale::Log};
    f.x.ticks = pair_ticks(r);
    f.y.csv_name = "inv_freq";
    std::vector<std::string> originals;  // one dotted original curve per layer kind
    for (const ConfigResult& c : r.configs) {
        const auto tables = tables_of(c);
        for (size_t k = 0; k < tables.size(); ++k) {
            const auto& [kind, t] = tables[k];
            if (t->inv_freq.empty()) continue;
            const std::string suffix = kind.empty() ? "" : " (" + kind + ")";
            if (std::find(originals.begin(), originals.end(), kind) == originals.end()) {
                Series o{"original" + suffix, {}, {}};
                o.color = {0.2f, 0.2f, 0.2f, 1};
                o.style = k == 0 ? LineStyle::Dotted : LineStyle::Dashed;
                for (size_t j = 0; j < t->inv_freq_original.size(); ++j) { o.x.push_back(double(j)); o.y.push_back(t->inv_freq_original[j]); }
                f.series.push_back(std::move(o));
                originals.push_back(kind);
            }
            Series s{config_name(c) + suffix, {}, {}};
            s.color = palette_color(c.label - 'A');
            s.markers = true;
            if (k > 0) s.style = LineStyle::Dashed;
            for (size_t j = 0; j < t->inv_freq.size(); ++j) { s.x.push_back(double(j)); s.y.push_back(t->inv_freq[j]); }
            f.series.push_back(std::move(s));
        }
    }
    add_common_meta(f, r);
    return f;
}

FigureSpec figure_wavelength(const Results& r) {
    FigureSpec f;
    f.id = "wavelength";
    f.title = "Wavelength per pair (ramp shaded)";
    f.x = {"Pair j", "", AxisScale::Linear};
    f.x.csv_name = "pair";
    f.y = {"Wavelength 2 pi / theta_j", "tokens", AxisScale::Log};
    f.x.ticks = pair_ticks(r);
    f.y.csv_name = "wavelength_tokens";
    const int T = r.train_length;
    int half = 0;
    for (const ConfigResult& c : r.configs) {
        if (c.rope.inv_freq.empty()) continue;
        half = int(c.rope.inv_freq.size());
        Series s{config_name(c), {}, {}};
        s.color = palette_color(c.label - 'A');
        s.markers = true;
        for (int j = 0; j < half; ++j) { s.x.push_back(j); s.y.push_back(c.rope.wavelength[j]); }
        f.series.push_back(std::move(s));
        const int main_series = int(f.series.size()) - 1;
        for (const auto& [kind, t] : c.kind_rope) {  // the other layer kinds (own base), dashed
            if (&t == &c.rope || t.wavelength == c.rope.wavelength) continue;
            Series k{config_name(c) + " (" + kind + ")", {}, {}};
            k.color = palette_color(c.label - 'A');
            k.style = LineStyle::Dashed;
            for (size_t j = 0; j < t.wavelength.size(); ++j) { k.x.push_back(double(j)); k.y.push_back(t.wavelength[j]); }
            f.series.push_back(std::move(k));
        }
        // The interpolation ramp (NTK-by-parts / YaRN): band from original λ to λ scaled by the ramp.
        bool any = false;
        for (double w : c.rope.ramp) any |= w > 0;
        if (any) {
            Band b(std::string(1, c.label) + " ramp (interpolated pairs)", {}, {}, {});
            b.series_index = main_series;
            for (int j = 0; j < half; ++j) {
                b.x.push_back(j);
                b.lo.push_back(2 * rope::kPi / c.rope.inv_freq_original[j]);
                b.hi.push_back(c.rope.wavelength[j]);
            }
            f.bands.push_back(std::move(b));
        }
    }
    if (T > 0 && half > 0) {
        f.markers.push_back({MarkerKind::Horizontal, double(T), "training length " + std::to_string(T)});
        // Llama-3 bands (§9, low 1, high 4 with L = training length): λ < L/4 kept, λ > L scaled.
        f.markers.push_back({MarkerKind::Horizontal, T / 4.0, "Llama-3 high band L/4", {0.55f, 0.4f, 0.1f, 1}, LineStyle::Dotted});
        // Critical dimension (§18): d_extra = 2·ceil((d/2)·log_b(T/2π)) -> first pair index d_extra/2.
        const int d = 2 * half;
        const double base = r.config.rope_base;
        const int crit_pairs = int(std::ceil(half * std::log(T / (2 * rope::kPi)) / std::log(base)));
        if (crit_pairs >= 0 && crit_pairs < half)
            f.markers.push_back({MarkerKind::Vertical, double(crit_pairs), "critical dim " + std::to_string(2 * crit_pairs),
                                 {0.35f, 0.35f, 0.35f, 1}});
        f.meta["critical_dimension"] = std::to_string(2 * crit_pairs) + " of " + std::to_string(d) +
                                       " (RoPE scaling-law paper: 2*ceil((d/2)*log_b(T/2pi)))";
    }
    add_common_meta(f, r);
    return f;
}

FigureSpec figure_logit_bound(const Results& r) {
    FigureSpec f;
    f.id = "logit_bound";
    f.title = "RoFormer long-term decay bound";
    f.x = {"Relative distance", "tokens", AxisScale::Log};
    f.x.csv_name = "distance";
    f.y = {"Relative upper bound", "", AxisScale::Linear};
    f.y.csv_name = "bound";
    std::vector<double> dist;
    const int n = std::max(r.eval_length, 2 * r.train_length);
    for (double m = 1; m <= n; m *= 1.05) dist.push_back(std::floor(m));
    dist.erase(std::unique(dist.begin(), dist.end()), dist.end());
    bool first = true;
    for (const ConfigResult& c : r.configs) {
        if (c.rope.inv_freq.empty()) continue;
        if (first) {
            Series o{"original", dist, roformer_bound(c.rope.inv_freq_original, dist)};
            o.color = {0.2f, 0.2f, 0.2f, 1};
            o.style = LineStyle::Dotted;
            f.series.push_back(std::move(o));
            first = false;
        }
        Series s{config_name(c), dist, roformer_bound(c.rope.inv_freq, dist)};
        s.color = palette_color(c.label - 'A');
        f.series.push_back(std::move(s));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    add_common_meta(f, r);
    f.meta["bound"] = "(1/(d/2)) sum_j |sum_{k<j} exp(i m theta_k)| (RoFormer section 3.4.3)";
    return f;
}

FigureSpec figure_logit_live(const Results& r) {
    FigureSpec f;
    f.id = "logit_live";
    f.title = "Live layer-0 attention logit vs distance";
    f.x = {"Relative distance", "tokens", AxisScale::Log};
    f.x.csv_name = "distance";
    f.y = {"Mean q.k / sqrt(d)", "", AxisScale::Linear};
    f.y.csv_name = "mean_logit";
    for (const ConfigResult& c : r.configs) {
        Series s{config_name(c), {}, {}};
        s.color = palette_color(c.label - 'A');
        s.width_pt = 1.0f;
        // Log-spaced bins so the far tail (few pairs) is not noise-dominated.
        const auto& q = c.qk_by_distance;
        for (double lo = 1; lo < double(q.size()); lo *= 1.15) {
            const size_t a = size_t(lo), b = std::min(q.size(), size_t(std::max(lo + 1, lo * 1.15)));
            double sum = 0;
            int cnt = 0;
            for (size_t d = a; d < b; ++d) if (std::isfinite(q[d])) { sum += q[d]; ++cnt; }
            if (cnt) { s.x.push_back(0.5 * (a + b - 1)); s.y.push_back(sum / cnt); }
        }
        f.series.push_back(std::move(s));
    }
    if (r.train_length > 0) f.markers.push_back({MarkerKind::Vertical, double(r.train_length), "train " + std::to_string(r.train_length)});
    add_common_meta(f, r);
    f.meta["logit"] = "layer 0, mean over heads and over all query/key pairs at each distance, log-binned";
    return f;
}

}  // namespace xl
