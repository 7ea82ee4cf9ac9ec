// The scalar reference ops against small cases computed by hand (closed forms in the test).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/ref/ops.hpp"

using xl::PositionPlan;
namespace ref = xl::ref;

namespace {

xl::Tensor f32_tensor(const std::vector<float>& v, int64_t rows, int64_t cols) {
    xl::Tensor t;
    t.type = xl::TensorType::F32;
    t.rows = rows;
    t.cols = cols;
    t.data = reinterpret_cast<const uint8_t*>(v.data());
    return t;
}

// A plan with no rotation, unit query scale, causal mask: attention tests set fields on top.
PositionPlan plain_plan(int n, int heads) {
    PositionPlan p;
    p.seq_len = n;
    p.n_heads = heads;
    p.query_scale.assign(size_t(n), 1.f);
    return p;
}

double softmax_weight(const std::vector<double>& s, size_t k) {
    double sum = 0;
    for (double x : s) sum += std::exp(x);
    return std::exp(s[k]) / sum;
}

}  // namespace

TEST_CASE("ref matmul: F32 and Q8_0 rows") {
    const std::vector<float> w = {1, 2, 3, -1, 0, 0.5f};  // 2x3
    const std::vector<float> x = {1, 1, 1, 2, 0, -2};     // 2 tokens
    std::vector<float> y(4);
    ref::matmul(f32_tensor(w, 2, 3), x.data(), 2, y.data());
    CHECK(y[0] == doctest::Approx(6));
    CHECK(y[1] == doctest::Approx(-0.5));
    CHECK(y[2] == doctest::Approx(-4));
    CHECK(y[3] == doctest::Approx(-3));

    // One Q8_0 block: f16 scale 0.5 (0x3800), q = 1..32 → weights 0.5·q.
    std::vector<uint8_t> blk(34);
    blk[0] = 0x00;
    blk[1] = 0x38;
    for (int i = 0; i < 32; ++i) blk[size_t(2 + i)] = uint8_t(i + 1);
    xl::Tensor q;
    q.type = xl::TensorType::Q8_0;
    q.rows = 1;
    q.cols = 32;
    q.data = blk.data();
    std::vector<float> ones(32, 1.f);
    float out = 0;
    ref::matmul(q, ones.data(), 1, &out);
    CHECK(out == doctest::Approx(0.5 * 32 * 33 / 2));
}

TEST_CASE("ref rmsnorm and layernorm") {
    const std::vector<float> x = {3, 4}, w = {1, 2};
    std::vector<float> y(2);
    ref::rmsnorm(x.data(), w.data(), 1, 2, 0.f, y.data());
    CHECK(y[0] == doctest::Approx(3 / std::sqrt(12.5)));
    CHECK(y[1] == doctest::Approx(8 / std::sqrt(12.5)));

    const std::vector<float> x3 = {1, 2, 3}, w3 = {1, 2, 3}, b3 = {0.5f, 0, -1};
    std::vector<float> y3(3);
    ref::layernorm(x3.data(), w3.data(), b3.data(), 1, 3, 0.f, y3.data());
    const double s = std::sqrt(2.0 / 3.0);  // population variance of (1,2,3)
    CHECK(y3[0] == doctest::Approx(-1 / s + 0.5));
    CHECK(y3[1] == doctest::Approx(0.0));
    CHECK(y3[2] == doctest::Approx(3 / s - 1));
    ref::layernorm(x3.data(), w3.data(), nullptr, 1, 3, 1.f, y3.data());  // no bias, eps 1
    CHECK(y3[2] == doctest::Approx(3 / std::sqrt(2.0 / 3.0 + 1.0)));
}

TEST_CASE("ref embedding copies rows") {
    const std::vector<float> table = {0, 1, 10, 11, 20, 21};
    const int tokens[] = {2, 0};
    std::vector<float> out(4);
    ref::embedding(f32_tensor(table, 3, 2), tokens, 2, out.data());
    CHECK(out == std::vector<float>{20, 21, 0, 1});
}

TEST_CASE("ref rope_apply: known angles, both layouts, mscale, partial rotary") {
    PositionPlan p;
    p.rope_dim = 4;
    p.inv_freq = {1.f, 0.5f};
    const std::vector<float> pos = {2.f};
    std::vector<float> x = {1, 0, 0, 1};  // Normal: pairs (0,1) angle 2, (2,3) angle 1
    ref::rope_apply(x.data(), 1, 1, 4, p, pos, ref::RopeOperand::Query);
    CHECK(x[0] == doctest::Approx(std::cos(2.0)));
    CHECK(x[1] == doctest::Approx(std::sin(2.0)));
    CHECK(x[2] == doctest::Approx(-std::sin(1.0)));
    CHECK(x[3] == doctest::Approx(std::cos(1.0)));

    p.layout = xl::RopeLayout::NeoX;  // pairs (0,2) angle 2, (1,3) angle 1
    p.mscale = 2.f;
    x = {1, 0, 0, 1};
    ref::rope_apply(x.data(), 1, 1, 4, p, pos, ref::RopeOperand::Query);
    CHECK(x[0] == doctest::Approx(2 * std::cos(2.0)));
    CHECK(x[2] == doctest::Approx(2 * std::sin(2.0)));
    CHECK(x[1] == doctest::Approx(-2 * std::sin(1.0)));
    CHECK(x[3] == doctest::Approx(2 * std::cos(1.0)));

    PositionPlan partial;  // rope_dim 2 in a head of 4: dims 2,3 pass through unscaled
    partial.rope_dim = 2;
    partial.inv_freq = {0.25f};
    partial.mscale = 3.f;
    std::vector<float> y = {0, 1, 5, 6, 1, 0, 7, 8};  // 2 tokens
    ref::rope_apply(y.data(), 2, 1, 4, partial, {4.f, 0.f}, ref::RopeOperand::Query);
    CHECK(y[0] == doctest::Approx(-3 * std::sin(1.0)));
    CHECK(y[1] == doctest::Approx(3 * std::cos(1.0)));
    CHECK(y[2] == 5.f);
    CHECK(y[3] == 6.f);
    CHECK(y[4] == doctest::Approx(3.0));  // position 0: only the magnitude factor
    CHECK(y[6] == 7.f);

    PositionPlan none;  // empty inv_freq: no-op
    std::vector<float> z = {1, 2, 3, 4};
    ref::rope_apply(z.data(), 1, 1, 4, none, pos, ref::RopeOperand::Query);
    CHECK(z == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("ref attention: 3-token causal softmax and probabilities") {
    const int n = 3;
    PositionPlan p = plain_plan(n, 1);
    p.query_scale = {1.f, 1.f, 0.5f};
    const std::vector<float> q = {1, 1, 1}, k = {0, 1, 2}, v = {10, 20, 30};
    std::vector<float> out(3), probs(9, -1.f);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, 1, 1, 1, p, out.data(), probs.data(), 0);
    CHECK(out[0] == doctest::Approx(10));
    const double p1 = softmax_weight({0, 1}, 1);
    CHECK(out[1] == doctest::Approx(10 * (1 - p1) + 20 * p1));
    const std::vector<double> s2 = {0, 0.5, 1.0};  // query_scale 0.5 on row 2
    const double e2 = 10 * softmax_weight(s2, 0) + 20 * softmax_weight(s2, 1) + 30 * softmax_weight(s2, 2);
    CHECK(out[2] == doctest::Approx(e2));
    CHECK(probs[1] == 0.f);  // masked future entries are zero
    CHECK(probs[2] == 0.f);
    CHECK(probs[4] == doctest::Approx(p1));
    CHECK(probs[6] + probs[7] + probs[8] == doctest::Approx(1.0));
}

TEST_CASE("ref attention: sliding window with sinks") {
    const int n = 5;
    PositionPlan p = plain_plan(n, 1);
    p.window = 2;
    p.sinks = 1;
    const std::vector<float> q(5, 0.f), k(5, 0.f), v = {1, 2, 4, 8, 16};
    std::vector<float> out(5), probs(25);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, 1, 1, 1, p, out.data(), probs.data(), 0);
    // Row 4 sees j = 0 (sink), 3 and 4 (i − j < 2) with equal scores.
    CHECK(out[4] == doctest::Approx((1 + 8 + 16) / 3.0));
    CHECK(probs[4 * 5 + 1] == 0.f);
    CHECK(probs[4 * 5 + 2] == 0.f);
    CHECK(probs[4 * 5 + 0] == doctest::Approx(1 / 3.0));
    CHECK(out[1] == doctest::Approx(1.5));  // row 1: j = 0, 1 both in the window
    p.sinks = 0;
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, 1, 1, 1, p, out.data(), nullptr, 0);
    CHECK(out[4] == doctest::Approx(12.0));
}

TEST_CASE("ref attention: far branch chosen by i − j >= neighbour_window") {
    const int n = 4;
    PositionPlan p = plain_plan(n, 1);
    p.far.enabled = true;
    p.far.neighbour_window = 2;
    const std::vector<float> qn(4, 0.f), qf(4, 1.f), kn(4, 1.f), kf(4, 1.f), v = {1, 2, 3, 4};
    std::vector<float> out(4);
    ref::attention(qn.data(), kn.data(), qf.data(), kf.data(), v.data(), n, 1, 1, 1, p, out.data());
    // Row 3: j = 0, 1 far (score 1), j = 2, 3 near (score 0).
    const std::vector<double> s = {1, 1, 0, 0};
    double expect = 0;
    for (size_t j = 0; j < 4; ++j) expect += double(v[j]) * softmax_weight(s, j);
    CHECK(out[3] == doctest::Approx(expect));
    CHECK(out[1] == doctest::Approx(1.5));  // row 1: all near, uniform
}

TEST_CASE("ref attention: ALiBi bias per head and mean-over-heads probabilities") {
    const int n = 3, H = 2;
    PositionPlan p = plain_plan(n, H);
    p.alibi_slopes = {0.5f, 0.25f};
    const std::vector<float> q(n * H, 0.f), k(n * H, 0.f);
    std::vector<float> v(n * H);
    for (int j = 0; j < n; ++j) v[size_t(j * H)] = v[size_t(j * H + 1)] = float(j);
    std::vector<float> out(n * H), p0(9), p1(9), pm(9);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, H, H, 1, p, out.data(), p0.data(), 0);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, H, H, 1, p, out.data(), p1.data(), 1);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, H, H, 1, p, out.data(), pm.data(), -1);
    const std::vector<double> s0 = {-1.0, -0.5, 0}, s1 = {-0.5, -0.25, 0};  // −slope·(i − j), row 2
    CHECK(p0[6] == doctest::Approx(softmax_weight(s0, 0)));
    CHECK(p1[6] == doctest::Approx(softmax_weight(s1, 0)));
    CHECK(pm[6] == doctest::Approx((p0[6] + p1[6]) / 2));
    CHECK(out[2 * H + 0] == doctest::Approx(softmax_weight(s0, 1) + 2 * softmax_weight(s0, 2)));
    CHECK(out[2 * H + 1] == doctest::Approx(softmax_weight(s1, 1) + 2 * softmax_weight(s1, 2)));
}

TEST_CASE("ref attention: grouped-query heads read kv head h / (H / KV)") {
    const int n = 2, H = 4, KV = 2;
    PositionPlan p = plain_plan(n, H);
    const std::vector<float> q(n * H, 0.f), k(n * KV, 0.f);
    // v[j][g] = 100·g + j.
    const std::vector<float> v = {0, 100, 1, 101};
    std::vector<float> out(n * H);
    ref::attention(q.data(), k.data(), nullptr, nullptr, v.data(), n, H, KV, 1, p, out.data());
    CHECK(out[4 + 0] == doctest::Approx(0.5));
    CHECK(out[4 + 1] == doctest::Approx(0.5));
    CHECK(out[4 + 2] == doctest::Approx(100.5));
    CHECK(out[4 + 3] == doctest::Approx(100.5));
}

TEST_CASE("ref reduce_grid averages blocks") {
    std::vector<float> m(16);
    for (int i = 0; i < 16; ++i) m[size_t(i)] = float(i);
    const auto g = ref::reduce_grid(m, 4, 2);
    CHECK(g[0] == doctest::Approx((0 + 1 + 4 + 5) / 4.0));
    CHECK(g[3] == doctest::Approx((10 + 11 + 14 + 15) / 4.0));
    std::vector<float> m3(9);
    for (int i = 0; i < 9; ++i) m3[size_t(i)] = float(i);
    const auto g3 = ref::reduce_grid(m3, 3, 2);  // blocks [0,1) and [1,3)
    CHECK(g3[0] == doctest::Approx(0.0));
    CHECK(g3[1] == doctest::Approx(1.5));
    CHECK(g3[3] == doctest::Approx((4 + 5 + 7 + 8) / 4.0));
}

TEST_CASE("ref element-wise ops and nll") {
    const std::vector<float> g = {0, 1, -2}, u = {3, 2, 1};
    std::vector<float> out(3);
    ref::swiglu(g.data(), u.data(), 3, out.data());
    CHECK(out[0] == 0.f);
    CHECK(out[1] == doctest::Approx(2 / (1 + std::exp(-1.0))));
    ref::silu(g.data(), 3, out.data());
    CHECK(out[2] == doctest::Approx(-2 / (1 + std::exp(2.0))));
    std::vector<float> y = {1, 2, 3};
    ref::add_inplace(y.data(), u.data(), 3);
    CHECK(y == std::vector<float>{4, 4, 4});

    const std::vector<float> logits = {0.f, float(std::log(3.0)), 5.f, 5.f};
    const int targets[] = {0, 1};
    float nll[2];
    ref::nll(logits.data(), 2, 2, targets, nll);
    CHECK(nll[0] == doctest::Approx(std::log(4.0)));
    CHECK(nll[1] == doctest::Approx(std::log(2.0)));
}
