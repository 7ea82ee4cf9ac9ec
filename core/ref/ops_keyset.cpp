// Attention over an explicit key set (see ops.hpp): the loop of attention() in ops.cpp with the
// query and key indices looked up instead of implied, so that a cache that kept only some keys
// is scored exactly as the full pass scores those keys; and the attention mass each key receives.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/ref/ops.hpp"

namespace xl::ref {

void attention_keyset(const float* q_near, const float* k_near, const float* q_far, const float* k_far,
                      const float* v, int n, const int* qi, int m, const int* ki, int n_heads, int n_kv_heads,
                      int head_dim, const PositionPlan& plan, float* out, float* probs) {
    assert(n_kv_heads > 0 && n_heads % n_kv_heads == 0);
    assert(!plan.far.enabled || (q_far && k_far));
    const int group = n_heads / n_kv_heads;
    const int64_t q_stride = int64_t(n_heads) * head_dim, kv_stride = int64_t(n_kv_heads) * head_dim;
    if (probs) std::memset(probs, 0, sizeof(float) * size_t(n_heads) * size_t(n) * size_t(m));
    std::vector<double> score(static_cast<size_t>(m)), acc(static_cast<size_t>(head_dim));
    std::vector<char> seen(static_cast<size_t>(m));
    for (int h = 0; h < n_heads; ++h) {
        const int g = h / group;
        const double slope = plan.alibi_slopes.empty() ? 0.0 : double(plan.alibi_slopes[size_t(h)]);
        for (int t = 0; t < n; ++t) {
            const int i = qi[t];
            assert(i >= 0 && i < int(plan.query_scale.size()));
            double mx = -std::numeric_limits<double>::infinity();
            for (int j = 0; j < m; ++j) {
                const int kj = ki[j];
                seen[size_t(j)] = kj <= i && (plan.window == 0 || i - kj < plan.window || kj < plan.sinks);
                if (!seen[size_t(j)]) continue;
                const bool far = plan.far.enabled && i - kj >= plan.far.neighbour_window;
                const float* qv = (far ? q_far : q_near) + t * q_stride + h * head_dim;
                const float* kv = (far ? k_far : k_near) + j * kv_stride + g * head_dim;
                double d = 0;
                for (int c = 0; c < head_dim; ++c) d += double(qv[c]) * double(kv[c]);
                score[size_t(j)] = double(plan.query_scale[size_t(i)]) * d - slope * double(i - kj);
                mx = std::max(mx, score[size_t(j)]);
            }
            double sum = 0;
            for (int j = 0; j < m; ++j) {
                if (!seen[size_t(j)]) continue;
                score[size_t(j)] = std::exp(score[size_t(j)] - mx);
                sum += score[size_t(j)];
            }
            std::fill(acc.begin(), acc.end(), 0.0);
            for (int j = 0; j < m; ++j) {
                if (!seen[size_t(j)]) continue;
                const double p = score[size_t(j)] / sum;
                const float* vj = v + j * kv_stride + g * head_dim;
                for (int c = 0; c < head_dim; ++c) acc[size_t(c)] += p * double(vj[c]);
                if (probs) probs[(int64_t(h) * n + t) * m + j] = float(p);
            }
            float* o = out + t * q_stride + h * head_dim;
            for (int c = 0; c < head_dim; ++c) o[c] = float(acc[size_t(c)]);
        }
    }
}

void add_key_mass(const float* probs, int n_heads, int n, int m, int first_query, double* mass) {
    for (int h = 0; h < n_heads; ++h)
        for (int t = std::max(first_query, 0); t < n; ++t)
            for (int j = 0; j < m; ++j) mass[j] += probs[(int64_t(h) * n + t) * m + j];
}

}  // namespace xl::ref
