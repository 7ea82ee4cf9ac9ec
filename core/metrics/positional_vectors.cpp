// Positional vectors: mean hidden states over windows, their norms and principal components
// (see positional_vectors.hpp; the decomposition follows Dong et al., 2024, §3.1).
#include "core/metrics/positional_vectors.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/metrics/pca.hpp"
#include "core/metrics/protocol.hpp"

namespace xl {

MeanHidden mean_hidden_states(Forward& forward, const ModelConfig& config, const std::vector<int>& tokens, int bos,
                              const PositionPlan& plan, const PositionalVectorOptions& o,
                              const std::function<void(int, int)>& window_done, const std::function<void()>& checkpoint) {
    if (o.length < 2) throw Error(ErrorKind::BadArgument, "length " + std::to_string(o.length), "must be >= 2");
    if (o.windows < 0) throw Error(ErrorKind::BadArgument, "windows " + std::to_string(o.windows), "must be >= 0");
    MeanHidden m;
    m.length = o.length;
    m.dim = config.dim;
    m.layers = o.layers;
    if (m.layers.empty())
        for (int l = 0; l < config.n_layers; ++l) m.layers.push_back(l);
    std::sort(m.layers.begin(), m.layers.end());
    m.layers.erase(std::unique(m.layers.begin(), m.layers.end()), m.layers.end());
    for (int l : m.layers)
        if (l < 0 || l >= config.n_layers)
            throw Error(ErrorKind::BadArgument, "layer " + std::to_string(l),
                        "outside the model's layers 0.." + std::to_string(config.n_layers - 1));
    const auto ws = plan_windows(parse_protocol("all"), int64_t(tokens.size()), o.length, o.windows);
    if (ws.empty())
        throw Error(ErrorKind::BadArgument, std::to_string(o.length) + " tokens",
                    "no window of this length fits the text (" + std::to_string(tokens.size()) + " tokens)");
    m.windows = int(ws.size());
    const size_t cells = size_t(o.length) * size_t(m.dim);
    std::vector<std::vector<double>> sum(m.layers.size(), std::vector<double>(cells, 0.0));
    std::vector<std::vector<double>> squares(m.layers.size(), std::vector<double>(size_t(o.length), 0.0));  // Σ_w ‖h‖²
    ForwardRequest req;
    req.plan = plan;
    req.want_nll = false;  // hidden states only: no classifier runs
    req.checkpoint = cancel_only(checkpoint);
    req.hidden_layers = m.layers;
    req.hidden_sink = [&](int layer, const float* h) {
        const size_t slot = size_t(std::lower_bound(m.layers.begin(), m.layers.end(), layer) - m.layers.begin());
        std::vector<double>& s = sum[slot];
        for (size_t i = 0; i < cells; ++i) s[i] += h[i];
        for (int t = 0; t < o.length; ++t) {
            double q = 0;
            for (int j = 0; j < m.dim; ++j) q += double(h[size_t(t) * m.dim + j]) * h[size_t(t) * m.dim + j];
            squares[slot][size_t(t)] += q;
        }
    };
    for (size_t w = 0; w < ws.size(); ++w) {
        req.tokens.assign(tokens.begin() + ws[w].start, tokens.begin() + ws[w].start + o.length);
        if (bos >= 0) req.tokens[0] = bos;
        forward.run(req);
        if (window_done) window_done(int(w) + 1, int(ws.size()));
    }
    m.mean.resize(m.layers.size());
    m.noise.resize(m.layers.size());
    const double W = double(ws.size());
    for (size_t k = 0; k < sum.size(); ++k) {
        m.mean[k].resize(cells);
        for (size_t i = 0; i < cells; ++i) m.mean[k][i] = float(sum[k][i] / W);
        // Σ_w ‖h − p‖² = Σ_w ‖h‖² − W ‖p‖² (p in double, before rounding to float).
        m.noise[k].assign(size_t(o.length), NAN);
        if (ws.size() > 1)
            for (int t = 0; t < o.length; ++t) {
                double p2 = 0;
                for (int j = 0; j < m.dim; ++j) {
                    const double p = sum[k][size_t(t) * m.dim + j] / W;
                    p2 += p * p;
                }
                m.noise[k][size_t(t)] = std::max(0.0, squares[k][size_t(t)] - W * p2) / (W * (W - 1));
            }
        std::vector<double>().swap(sum[k]);
    }
    return m;
}

PositionalVectors analyse_positional_vectors(const MeanHidden& m, const PositionalVectorOptions& o) {
    if (o.components < 1 || o.components > 8)
        throw Error(ErrorKind::BadArgument, "components " + std::to_string(o.components), "must be in 1..8");
    PositionalVectors pv;
    pv.length = m.length;
    pv.dim = m.dim;
    pv.windows = m.windows;
    pv.train_length = o.train_length;
    const int n = m.length, d = m.dim;
    pv.fitted = o.train_length > 0 ? std::min(n, o.train_length) : n;
    pv.fit_from = std::clamp(o.fit_from, 0, std::max(0, pv.fitted - 2));  // at least two fitted positions
    const int first = pv.fit_from, count = pv.fitted - first;
    for (size_t k = 0; k < m.layers.size(); ++k) {
        const float* P = m.mean[k].data();
        LayerPositionalVectors lv;
        lv.layer = m.layers[k];
        lv.norm.resize(size_t(n));
        for (int t = 0; t < n; ++t) {
            double s = 0;
            for (int j = 0; j < d; ++j) s += double(P[size_t(t) * d + j]) * P[size_t(t) * d + j];
            lv.norm[size_t(t)] = std::sqrt(s);
        }
        const Pca pca = top_components(P + size_t(first) * d, count, d, o.components);
        lv.converged = pca.converged;
        for (size_t i = 0; i < pca.components.size(); ++i) lv.explained.push_back(pca.explained(int(i)));
        lv.pc.assign(pca.components.size(), std::vector<double>(size_t(n)));
        double in_plane = 0, energy = 0, inside = 0, beyond = 0, noise = 0;
        for (int t = 0; t < n; ++t) {
            const std::vector<double> y = pca.project(P + size_t(t) * d);
            for (size_t i = 0; i < y.size(); ++i) lv.pc[i][size_t(t)] = y[i];
            if (t < first) continue;
            if (t < pv.fitted) {
                inside += lv.norm[size_t(t)];
                noise += k < m.noise.size() ? m.noise[k][size_t(t)] : NAN;
                continue;
            }
            beyond += lv.norm[size_t(t)];
            for (double yi : y) in_plane += yi * yi;
            for (int j = 0; j < d; ++j) {
                const double c = P[size_t(t) * d + j] - pca.mean[size_t(j)];
                energy += c * c;
            }
        }
        lv.norm_inside = inside / count;
        lv.noise_share = pca.total_variance > 0 ? noise / (pca.total_variance * count) : NAN;
        const int rest = n - pv.fitted;
        lv.norm_beyond = rest > 0 ? beyond / rest : NAN;
        lv.beyond_in_plane = rest > 0 && energy > 0 ? in_plane / energy : NAN;
        pv.layers.push_back(std::move(lv));
    }
    return pv;
}

}  // namespace xl
