// Scalar reference ops (see ops.hpp). Plain loops, double accumulators: these functions are the
// definition that the shaders are tested against, so clarity wins over speed everywhere.
#include "core/ref/ops.hpp"

#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/posenc/rope_math.hpp"

namespace xl::ref {

void matmul(const Tensor& w, const float* x, int n, float* y) {
    assert(!w.empty());
    const int64_t rows = w.rows, cols = w.cols;
    // F32 rows are read in place; other types are dequantised one row at a time.
    std::vector<float> row(w.type == TensorType::F32 ? 0 : size_t(cols));
    for (int64_t r = 0; r < rows; ++r) {
        const float* wr;
        if (w.type == TensorType::F32) {
            wr = reinterpret_cast<const float*>(w.data) + r * cols;
        } else {
            dequantize_row(w, r, row.data());
            wr = row.data();
        }
        for (int t = 0; t < n; ++t) {
            const float* xt = x + int64_t(t) * cols;
            double acc = 0;
            for (int64_t c = 0; c < cols; ++c) acc += double(wr[c]) * double(xt[c]);
            y[int64_t(t) * rows + r] = float(acc);
        }
    }
}

void rmsnorm(const float* x, const float* weight, int n, int dim, float eps, float* y) {
    for (int t = 0; t < n; ++t) {
        const float* xt = x + int64_t(t) * dim;
        double ss = 0;
        for (int c = 0; c < dim; ++c) ss += double(xt[c]) * double(xt[c]);
        const double inv = 1.0 / std::sqrt(ss / dim + double(eps));
        for (int c = 0; c < dim; ++c) y[int64_t(t) * dim + c] = float(double(xt[c]) * inv * double(weight[c]));
    }
}

void layernorm(const float* x, const float* weight, const float* bias, int n, int dim, float eps, float* y) {
    for (int t = 0; t < n; ++t) {
        const float* xt = x + int64_t(t) * dim;
        double mean = 0;
        for (int c = 0; c < dim; ++c) mean += xt[c];
        mean /= dim;
        double var = 0;  // biased (population) variance, as torch.nn.LayerNorm
        for (int c = 0; c < dim; ++c) var += (xt[c] - mean) * (xt[c] - mean);
        var /= dim;
        const double inv = 1.0 / std::sqrt(var + double(eps));
        for (int c = 0; c < dim; ++c) {
            double v = (xt[c] - mean) * inv * double(weight[c]);
            if (bias) v += double(bias[c]);
            y[int64_t(t) * dim + c] = float(v);
        }
    }
}

void embedding(const Tensor& table, const int* tokens, int n, float* out) {
    for (int t = 0; t < n; ++t) {
        assert(tokens[t] >= 0 && tokens[t] < table.rows);
        dequantize_row(table, tokens[t], out + int64_t(t) * table.cols);
    }
}

namespace {

// xPos magnitude of pair j at position p (ref §14); 1 without xPos.
double xpos_magnitude(const PositionPlan& plan, int j, float p, RopeOperand operand) {
    if (plan.xpos.zeta.empty()) return 1.0;
    return rope::xpos_factor(plan.xpos.zeta[size_t(j)], p, plan.xpos.centre, plan.xpos.scale_base,
                             operand == RopeOperand::Key);
}

}  // namespace

// Pair layout of position-methods.md §1: Normal pairs (2j, 2j+1), NeoX pairs (j, j + d/2).
void rope_apply(float* x, int n, int heads, int head_dim, const PositionPlan& plan,
                const std::vector<float>& positions, RopeOperand operand) {
    if (plan.inv_freq.empty()) return;
    const int pairs = plan.rope_dim / 2;
    assert(plan.rope_dim <= head_dim && int(plan.inv_freq.size()) >= pairs);
    assert(plan.xpos.zeta.empty() || int(plan.xpos.zeta.size()) >= pairs);
    assert(int(positions.size()) >= n);
    for (int t = 0; t < n; ++t) {
        for (int h = 0; h < heads; ++h) {
            float* v = x + (int64_t(t) * heads + h) * head_dim;
            for (int j = 0; j < pairs; ++j) {
                const int a = plan.layout == RopeLayout::Normal ? 2 * j : j;
                const int b = plan.layout == RopeLayout::Normal ? 2 * j + 1 : j + pairs;
                const double angle = double(positions[t]) * double(plan.inv_freq[j]);
                const double m = plan.mscale * xpos_magnitude(plan, j, positions[t], operand);
                const double c = std::cos(angle) * m, s = std::sin(angle) * m;
                const double xa = v[a], xb = v[b];
                v[a] = float(xa * c - xb * s);
                v[b] = float(xa * s + xb * c);
            }
        }
    }
}

namespace {

// visible(i,j) of position_plan.hpp.
bool visible(const PositionPlan& plan, int i, int j) {
    return j <= i && (plan.window == 0 || i - j < plan.window || j < plan.sinks);
}

double dot(const float* a, const float* b, int len) {
    double acc = 0;
    for (int d = 0; d < len; ++d) acc += double(a[d]) * double(b[d]);
    return acc;
}

// The q/k of attention() and attention_rows(): both branches, [n][H][hd] and [n][KV][hd].
struct QK {
    const float *q_near, *k_near, *q_far, *k_far;
    int64_t q_stride, kv_stride;
    int head_dim;
};

// Scores of query i, head h (kv group g) over the visible keys j ≤ i: score[j] = scale_i·q·k −
// slope·(i − j), q and k of the far branch beyond its neighbour window; returns their maximum.
double row_scores(const QK& a, const PositionPlan& plan, int i, int h, int g, double slope, double* score) {
    double mx = -std::numeric_limits<double>::infinity();
    for (int j = 0; j <= i; ++j) {
        if (!visible(plan, i, j)) continue;
        const bool far = plan.far.enabled && i - j >= plan.far.neighbour_window;
        const float* qi = (far ? a.q_far : a.q_near) + i * a.q_stride + h * a.head_dim;
        const float* kj = (far ? a.k_far : a.k_near) + j * a.kv_stride + g * a.head_dim;
        score[j] = double(plan.query_scale[i]) * dot(qi, kj, a.head_dim) - slope * double(i - j);
        mx = std::max(mx, score[j]);
    }
    return mx;
}

}  // namespace

void attention(const float* q_near, const float* k_near, const float* q_far, const float* k_far,
               const float* v, int n, int n_heads, int n_kv_heads, int head_dim,
               const PositionPlan& plan, float* out, float* probs, int probe_head) {
    assert(n_kv_heads > 0 && n_heads % n_kv_heads == 0);
    assert(int(plan.query_scale.size()) >= n);
    assert(plan.alibi_slopes.empty() || int(plan.alibi_slopes.size()) >= n_heads);
    assert(!plan.far.enabled || (q_far && k_far));
    assert(probe_head >= -1 && probe_head < n_heads);
    const int group = n_heads / n_kv_heads;
    const int64_t q_stride = int64_t(n_heads) * head_dim, kv_stride = int64_t(n_kv_heads) * head_dim;
    if (probs) std::memset(probs, 0, sizeof(float) * size_t(n) * size_t(n));
    const QK qk{q_near, k_near, q_far, k_far, q_stride, kv_stride, head_dim};
    std::vector<double> score(static_cast<size_t>(n)), acc(static_cast<size_t>(head_dim));
    for (int h = 0; h < n_heads; ++h) {
        const int g = h / group;
        const double slope = plan.alibi_slopes.empty() ? 0.0 : double(plan.alibi_slopes[h]);
        const bool probed = probs && (probe_head == -1 || probe_head == h);
        for (int i = 0; i < n; ++i) {
            const double mx = row_scores(qk, plan, i, h, g, slope, score.data());
            double sum = 0;
            for (int j = 0; j <= i; ++j) {
                if (!visible(plan, i, j)) continue;
                score[j] = std::exp(score[j] - mx);
                sum += score[j];
            }
            std::fill(acc.begin(), acc.end(), 0.0);
            for (int j = 0; j <= i; ++j) {
                if (!visible(plan, i, j)) continue;
                const double p = score[j] / sum;
                const float* vj = v + j * kv_stride + g * head_dim;
                for (int d = 0; d < head_dim; ++d) acc[d] += p * double(vj[d]);
                if (probed) probs[int64_t(i) * n + j] += float(probe_head == -1 ? p / n_heads : p);
            }
            float* o = out + i * q_stride + h * head_dim;
            for (int d = 0; d < head_dim; ++d) o[d] = float(acc[d]);
        }
    }
}

void attention_rows(const float* q_near, const float* k_near, const float* q_far, const float* k_far, int n,
                    int n_heads, int n_kv_heads, int head_dim, const PositionPlan& plan, const std::vector<int>& rows,
                    float* out) {
    assert(n_kv_heads > 0 && n_heads % n_kv_heads == 0);
    const int group = n_heads / n_kv_heads, R = int(rows.size());
    const int64_t q_stride = int64_t(n_heads) * head_dim, kv_stride = int64_t(n_kv_heads) * head_dim;
    std::memset(out, 0, sizeof(float) * size_t(n_heads) * size_t(R) * size_t(n));
    const QK qk{q_near, k_near, q_far, k_far, q_stride, kv_stride, head_dim};
    std::vector<double> score(static_cast<size_t>(n));
    for (int h = 0; h < n_heads; ++h) {
        const int g = h / group;
        const double slope = plan.alibi_slopes.empty() ? 0.0 : double(plan.alibi_slopes[h]);
        for (int r = 0; r < R; ++r) {
            const int i = rows[size_t(r)];
            assert(i >= 0 && i < n);
            const double mx = row_scores(qk, plan, i, h, g, slope, score.data());
            double sum = 0;
            for (int j = 0; j <= i; ++j)
                if (visible(plan, i, j)) sum += (score[j] = std::exp(score[j] - mx));
            float* o = out + (int64_t(h) * R + r) * n;
            for (int j = 0; j <= i; ++j)
                if (visible(plan, i, j)) o[j] = float(score[j] / sum);
        }
    }
}

std::vector<float> reduce_grid(const std::vector<float>& full, int n, int grid) {
    assert(grid > 0 && int64_t(full.size()) >= int64_t(n) * n);
    std::vector<float> out(size_t(grid) * size_t(grid), 0.f);
    for (int br = 0; br < grid; ++br) {
        const int64_t r0 = int64_t(br) * n / grid, r1 = int64_t(br + 1) * n / grid;
        for (int bc = 0; bc < grid; ++bc) {
            const int64_t c0 = int64_t(bc) * n / grid, c1 = int64_t(bc + 1) * n / grid;
            if (r1 <= r0 || c1 <= c0) continue;  // empty block when grid > n
            double sum = 0;
            for (int64_t r = r0; r < r1; ++r)
                for (int64_t c = c0; c < c1; ++c) sum += full[size_t(r * n + c)];
            out[size_t(br) * grid + bc] = float(sum / double((r1 - r0) * (c1 - c0)));
        }
    }
    return out;
}

static double silu_d(double x) { return x / (1.0 + std::exp(-x)); }

void swiglu(const float* gate, const float* up, int count, float* out) {
    for (int i = 0; i < count; ++i) out[i] = float(silu_d(gate[i]) * double(up[i]));
}

void silu(const float* x, int count, float* out) {
    for (int i = 0; i < count; ++i) out[i] = float(silu_d(x[i]));
}

void add_inplace(float* y, const float* x, int count) {
    for (int i = 0; i < count; ++i) y[i] = float(double(y[i]) + double(x[i]));
}

void nll(const float* logits, int n, int vocab, const int* targets, float* out) {
    for (int t = 0; t < n; ++t) {
        const float* l = logits + int64_t(t) * vocab;
        assert(targets[t] >= 0 && targets[t] < vocab);
        double mx = l[0];
        for (int c = 1; c < vocab; ++c) mx = std::max(mx, double(l[c]));
        double sum = 0;
        for (int c = 0; c < vocab; ++c) sum += std::exp(double(l[c]) - mx);
        out[t] = float(mx + std::log(sum) - double(l[targets[t]]));
    }
}

}  // namespace xl::ref
