#include "core/ref/attention_stats.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <vector>

namespace xl::ref {

void attention_stats(const float* q_near, const float* k_near, const float* q_far, const float* k_far, int n,
                     int n_heads, int n_kv_heads, int head_dim, const PositionPlan& plan, int sink_tokens, int layer,
                     AttentionStats& out) {
    assert(n_kv_heads > 0 && n_heads % n_kv_heads == 0 && out.n == n && out.heads == n_heads);
    const int group = n_heads / n_kv_heads;
    const int64_t q_stride = int64_t(n_heads) * head_dim, kv_stride = int64_t(n_kv_heads) * head_dim;
    const bool counts = !out.logit_counts.empty();
    std::vector<double> score(static_cast<size_t>(n)), logit(static_cast<size_t>(n));
    std::vector<char> vis(static_cast<size_t>(n));
    for (int h = 0; h < n_heads; ++h) {
        const int g = h / group;
        const double slope = plan.alibi_slopes.empty() ? 0.0 : double(plan.alibi_slopes[size_t(h)]);
        for (int i = 0; i < n; ++i) {
            double mx = -std::numeric_limits<double>::infinity();
            for (int j = 0; j <= i; ++j) {
                vis[size_t(j)] = j <= i && (plan.window == 0 || i - j < plan.window || j < plan.sinks);
                if (!vis[size_t(j)]) continue;
                const bool far = plan.far.enabled && i - j >= plan.far.neighbour_window;
                const float* qi = (far ? q_far : q_near) + i * q_stride + h * head_dim;
                const float* kj = (far ? k_far : k_near) + j * kv_stride + g * head_dim;
                double qk = 0;
                for (int e = 0; e < head_dim; ++e) qk += double(qi[e]) * double(kj[e]);
                logit[size_t(j)] = double(plan.query_scale[size_t(i)]) * qk;
                score[size_t(j)] = logit[size_t(j)] - slope * double(i - j);
                mx = std::max(mx, score[size_t(j)]);
            }
            double sum = 0;
            for (int j = 0; j <= i; ++j)
                if (vis[size_t(j)]) sum += std::exp(score[size_t(j)] - mx);
            double entropy = 0, sink = 0;
            for (int j = 0; j <= i; ++j) {
                if (!vis[size_t(j)]) continue;
                const double p = std::exp(score[size_t(j)] - mx) / sum;
                if (p > 0) entropy -= p * std::log(p);
                if (j < sink_tokens) sink += p;
                out.distance_mass[out.index(layer, h, i - j)] += float(p);
                if (counts) ++out.logit_counts[out.count_index(layer, stats_distance_bucket(i - j), stats_logit_bin(logit[size_t(j)]))];
            }
            out.entropy[out.index(layer, h, i)] = float(entropy);
            out.sink_mass[out.index(layer, h, i)] = float(sink);
        }
    }
}

}  // namespace xl::ref
