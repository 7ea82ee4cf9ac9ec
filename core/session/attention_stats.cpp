#include "core/session/attention_stats.hpp"

#include <cmath>
#include <complex>

#include "core/ref/ops.hpp"

namespace xl {

std::vector<double> row_entropy(const std::vector<float>& probs, int n) {
    std::vector<double> h(n, 0.0);
    for (int i = 0; i < n; ++i) {
        double s = 0;
        for (int j = 0; j <= i; ++j) {
            const double p = probs[size_t(i) * n + j];
            if (p > 0) s -= p * std::log(p);
        }
        h[i] = s;
    }
    return h;
}

std::vector<double> mass_within_distance(const std::vector<float>& probs, int n) {
    std::vector<double> m(n, 0.0);
    for (int i = 0; i < n; ++i) {
        double cum = 0;
        for (int d = 0; d < n; ++d) {
            if (d <= i) cum += probs[size_t(i) * n + (i - d)];
            m[d] += cum;
        }
    }
    for (double& v : m) v /= n;
    return m;
}

LayerMeans layer_means(const AttentionStats& s) {
    LayerMeans m;
    if (s.heads <= 0 || s.n <= 0) return m;
    const auto layers = size_t(s.layers), n = size_t(s.n);
    m.entropy.assign(layers, std::vector<double>(n, 0.0));
    m.sink_mass.assign(layers, std::vector<double>(n, 0.0));
    m.receptive.assign(layers, std::vector<double>(n, 0.0));
    for (int l = 0; l < s.layers; ++l) {
        std::vector<double> at(n, 0.0);
        for (int h = 0; h < s.heads; ++h)
            for (int i = 0; i < s.n; ++i) {
                const size_t k = s.index(l, h, i);
                m.entropy[size_t(l)][size_t(i)] += double(s.entropy[k]) / s.heads;
                m.sink_mass[size_t(l)][size_t(i)] += double(s.sink_mass[k]) / s.heads;
                at[size_t(i)] += double(s.distance_mass[k]);
            }
        double cum = 0;
        for (size_t d = 0; d < n; ++d) {
            cum += at[d];
            m.receptive[size_t(l)][d] = cum / (double(s.heads) * double(s.n));
        }
    }
    return m;
}

std::vector<double> live_qk_by_distance(const Model& model, const std::vector<int>& tokens, const PositionPlan& plan) {
    const ModelConfig& c = model.config;
    const LayerWeights& L = model.weights.layers.at(0);
    const int n = int(tokens.size()), dim = c.dim, hd = c.head_dim, H = c.n_heads, KV = c.n_kv_heads;
    std::vector<float> x(size_t(n) * dim), xn(size_t(n) * dim), q(size_t(n) * H * hd), k(size_t(n) * KV * hd);
    ref::embedding(model.weights.token_embedding, tokens.data(), n, x.data());
    const std::vector<float> w = dequantize(L.attn_norm);
    if (c.norm == NormType::LayerNorm) {
        const std::vector<float> b = L.attn_norm_bias.empty() ? std::vector<float>() : dequantize(L.attn_norm_bias);
        ref::layernorm(x.data(), w.data(), b.empty() ? nullptr : b.data(), n, dim, c.norm_eps, xn.data());
    } else {
        ref::rmsnorm(x.data(), w.data(), n, dim, c.norm_eps, xn.data());
    }
    ref::matmul(L.wq, xn.data(), n, q.data());
    ref::matmul(L.wk, xn.data(), n, k.data());
    if (!plan.inv_freq.empty()) {
        ref::rope_apply(q.data(), n, H, hd, plan, plan.near.q_pos, ref::RopeOperand::Query);
        ref::rope_apply(k.data(), n, KV, hd, plan, plan.near.k_pos, ref::RopeOperand::Key);
    }
    std::vector<double> sum(n, 0.0);
    std::vector<int64_t> count(n, 0);
    const int group = std::max(1, H / std::max(1, KV));
    for (int i = 0; i < n; ++i) {
        const double qs = i < int(plan.query_scale.size()) ? plan.query_scale[i] : 1.0 / std::sqrt(double(hd));
        for (int j = 0; j <= i; ++j) {
            double s = 0;
            for (int h = 0; h < H; ++h) {
                const float* qi = &q[(size_t(i) * H + h) * hd];
                const float* kj = &k[(size_t(j) * KV + h / group) * hd];
                double dot = 0;
                for (int e = 0; e < hd; ++e) dot += double(qi[e]) * kj[e];
                s += dot;
            }
            sum[i - j] += qs * s / H;
            ++count[i - j];
        }
    }
    for (int d = 0; d < n; ++d) sum[d] = count[d] ? sum[d] / count[d] : NAN;
    return sum;
}

std::vector<double> roformer_bound(const std::vector<double>& inv_freq, const std::vector<double>& distances) {
    std::vector<double> out;
    const size_t half = inv_freq.size();
    for (double m : distances) {
        std::complex<double> S = 0;
        double total = 0;
        for (size_t j = 0; j < half; ++j) {
            S += std::polar(1.0, m * inv_freq[j]);
            total += std::abs(S);
        }
        out.push_back(half ? total / double(half) : NAN);
    }
    return out;
}

}  // namespace xl
