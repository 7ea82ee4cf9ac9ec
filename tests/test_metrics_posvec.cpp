// Positional vectors (core/metrics/positional_vectors.hpp) on stories260K with the CPU reference:
// the mean over windows against the average taken by hand, the hidden-state option of the forward
// request (the last block's residual through the final norm is what the classifier reads; no
// classifier runs when only hidden states are wanted), and the analysis on planted trajectories
// (in-plane share 1 when positions beyond the training length stay on the fitted plane, 0 when
// they leave it orthogonally).
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/metrics/positional_vectors.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/ops.hpp"

using namespace xl;

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";

struct Stories {
    Model model = load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    TokenStream text = load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", *model.tokenizer);
};

}  // namespace

TEST_CASE("posvec: the mean over windows equals the average of each window's hidden states taken by hand") {
    Stories s;
    CpuForward cpu(s.model);
    const int n = 64, W = 3, d = s.model.config.dim, bos = s.model.tokenizer->bos();
    const PositionPlan plan = make_plan(parse_method_spec("none"), s.model.config, n);
    PositionalVectorOptions o;
    o.length = n;
    o.windows = W;
    o.layers = {4, 0};  // any order; reported sorted
    int calls = 0;
    const MeanHidden m = mean_hidden_states(cpu, s.model.config, s.text.tokens, bos, plan, o, [&](int w, int total) {
        CHECK(w == ++calls);
        CHECK(total == W);
    });
    REQUIRE(m.layers == std::vector<int>{0, 4});
    REQUIRE(m.windows == W);
    // By hand: window w is tokens [w·n, (w+1)·n) with BOS first; sum the sink's rows and divide.
    std::vector<std::vector<double>> hand(2, std::vector<double>(size_t(n) * d, 0.0));
    std::vector<std::vector<float>> windows4(static_cast<size_t>(W));  // each window's layer-4 states
    for (int w = 0; w < W; ++w) {
        ForwardRequest r;
        r.tokens.assign(s.text.tokens.begin() + w * n, s.text.tokens.begin() + (w + 1) * n);
        r.tokens[0] = bos;
        r.plan = plan;
        r.want_nll = false;
        r.hidden_layers = {0, 4};
        r.hidden_sink = [&](int layer, const float* h) {
            for (size_t i = 0; i < hand[0].size(); ++i) hand[layer == 0 ? 0 : 1][i] += h[i] / W;
            if (layer == 4) windows4[size_t(w)].assign(h, h + hand[0].size());
        };
        cpu.run(r);
    }
    double worst = 0, scale = 0;
    for (int k = 0; k < 2; ++k)
        for (size_t i = 0; i < hand[0].size(); ++i) {
            worst = std::max(worst, std::abs(double(m.mean[size_t(k)][i]) - hand[size_t(k)][i]));
            scale = std::max(scale, std::abs(hand[size_t(k)][i]));
        }
    CHECK(worst <= 1e-6 * scale);  // the same sums; float rounding of the stored mean only
    // Noise by hand at a few positions of layer 4: Σ_w ‖h_w(t) − p(t)‖² / (W (W − 1)).
    for (int t : {0, 17, 63}) {
        double dev = 0;
        for (int w = 0; w < W; ++w)
            for (int j = 0; j < d; ++j) {
                const double e = windows4[size_t(w)][size_t(t) * d + j] - hand[1][size_t(t) * d + j];
                dev += e * e;
            }
        CHECK(m.noise[1][size_t(t)] == doctest::Approx(dev / (W * (W - 1))).epsilon(1e-6));
    }
    CHECK(m.noise[1][0] < 1e-6 * m.noise[1][17]);  // position 0 is BOS in every window: no content noise
    CHECK(scale > 0.1);
    // Layers differ, and the positional vector differs from any single window (content averaged).
    double differ = 0;
    for (size_t i = 0; i < hand[0].size(); ++i) differ = std::max(differ, std::abs(hand[0][i] - hand[1][i]));
    CHECK(differ > 0.1);
}

TEST_CASE("posvec: the last block's hidden state, normed and classified by hand, gives the pass's NLL - no head runs") {
    Stories s;
    CpuForward cpu(s.model);
    const ModelConfig& c = s.model.config;
    const int n = 48;
    ForwardRequest r;
    r.tokens.assign(s.text.tokens.begin(), s.text.tokens.begin() + n);
    r.plan = make_plan(parse_method_spec("none"), c, n);
    std::vector<float> last;
    std::vector<int> seen;
    r.hidden_layers = {c.n_layers - 1, 1};
    r.hidden_sink = [&](int layer, const float* h) {
        seen.push_back(layer);
        if (layer == c.n_layers - 1) last.assign(h, h + size_t(n) * c.dim);
    };
    const ForwardResult with_head = cpu.run(r);
    CHECK(seen == std::vector<int>{1, c.n_layers - 1});  // layer order
    REQUIRE(last.size() == size_t(n) * c.dim);
    REQUIRE(with_head.nll.size() == size_t(n) - 1);
    // Final RMSNorm, then the (tied or separate) classifier and log-softmax, in double.
    std::vector<float> normed(last.size());
    const std::vector<float> w = dequantize(s.model.weights.output_norm);
    ref::rmsnorm(last.data(), w.data(), n, c.dim, c.norm_eps, normed.data());
    const Tensor& head = s.model.weights.output.empty() ? s.model.weights.token_embedding : s.model.weights.output;
    const std::vector<float> E = dequantize(head);
    double worst = 0;
    for (int t = 0; t + 1 < n; ++t) {
        std::vector<double> logit(size_t(c.vocab_size));
        double top = -1e300;
        for (int v = 0; v < c.vocab_size; ++v) {
            double acc = 0;
            for (int j = 0; j < c.dim; ++j) acc += double(E[size_t(v) * c.dim + j]) * normed[size_t(t) * c.dim + j];
            logit[size_t(v)] = acc;
            top = std::max(top, acc);
        }
        double z = 0;
        for (double l : logit) z += std::exp(l - top);
        const double nll = top + std::log(z) - logit[size_t(r.tokens[size_t(t) + 1])];
        worst = std::max(worst, std::abs(nll - with_head.nll[size_t(t)]));
    }
    CHECK(worst < 1e-4);
    // Hidden states only: no classifier output of any kind.
    r.want_nll = false;
    const ForwardResult bare = cpu.run(r);
    CHECK(bare.nll.empty());
    CHECK(bare.last_logits.empty());
    CHECK(bare.all_logits.empty());
}

TEST_CASE("posvec: bad layers and a text too short for one window are user errors") {
    Stories s;
    CpuForward cpu(s.model);
    const PositionPlan plan = make_plan(parse_method_spec("none"), s.model.config, 32);
    PositionalVectorOptions o;
    o.length = 32;
    o.layers = {s.model.config.n_layers};
    CHECK_THROWS_AS(mean_hidden_states(cpu, s.model.config, s.text.tokens, 1, plan, o), Error);
    o.layers = {};
    const std::vector<int> few(s.text.tokens.begin(), s.text.tokens.begin() + 20);
    CHECK_THROWS_AS(mean_hidden_states(cpu, s.model.config, few, 1, plan, o), Error);
    ForwardRequest r;
    r.tokens = few;
    r.plan = make_plan(parse_method_spec("none"), s.model.config, 20);
    r.hidden_layers = {-1};
    r.hidden_sink = [](int, const float*) {};
    CHECK_THROWS_AS(cpu.run(r), Error);
}

namespace {

// Synthetic positional vectors: inside [0, L) a circle in span(u0, u1) around a centre; beyond L
// either the circle continues (on the plane) or the points move along u2 only (off the plane).
MeanHidden synthetic(bool beyond_on_plane, int n, int L) {
    MeanHidden m;
    m.length = n;
    m.dim = 3;
    m.windows = 1;
    m.layers = {0};
    m.mean.assign(1, std::vector<float>(size_t(n) * 3));
    for (int t = 0; t < n; ++t) {
        const double a = 2 * 3.14159265358979 * t / L;
        float* p = &m.mean[0][size_t(t) * 3];
        p[0] = 1 + 2 * float(std::cos(a));
        p[1] = 1 + 1 * float(std::sin(a));
        p[2] = 1;
        if (t >= L && !beyond_on_plane) {
            p[0] = 1;
            p[1] = 1;
            p[2] = 1 + float(t - L + 1) * 0.1f;
        }
    }
    return m;
}

}  // namespace

TEST_CASE("posvec: analysis of planted trajectories: norms, explained variance, in-plane share beyond the fit") {
    PositionalVectorOptions o;
    o.train_length = 100;
    o.components = 2;
    o.fit_from = 0;  // the whole circle: its coordinate sequences are exactly orthogonal
    const PositionalVectors on = analyse_positional_vectors(synthetic(true, 160, 100), o);
    const PositionalVectors off = analyse_positional_vectors(synthetic(false, 160, 100), o);
    REQUIRE(on.layers.size() == 1);
    CHECK(on.fitted == 100);
    const LayerPositionalVectors& a = on.layers[0];
    const LayerPositionalVectors& b = off.layers[0];
    REQUIRE(a.explained.size() == 2);
    CHECK(a.explained[0] == doctest::Approx(0.8).epsilon(1e-5));  // variances 2 and 0.5 of the circle
    CHECK(a.explained[1] == doctest::Approx(0.2).epsilon(1e-5));
    CHECK(a.beyond_in_plane == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(std::abs(b.beyond_in_plane) < 1e-6);
    // ‖p(0)‖ = ‖(3, 1, 1)‖ by hand.
    CHECK(a.norm[0] == doctest::Approx(std::sqrt(11.0)).epsilon(1e-6));
    CHECK(std::isfinite(a.norm_beyond));
    // The in-range coordinates of both are the same circle.
    CHECK(a.pc[0][10] == doctest::Approx(b.pc[0][10]).epsilon(1e-9));
    o.train_length = 0;  // fit on every position: nothing is beyond
    const PositionalVectors all = analyse_positional_vectors(synthetic(true, 160, 100), o);
    CHECK(all.fitted == 160);
    o.fit_from = 1;  // the default: position 0 projected, not fitted
    const PositionalVectors skip = analyse_positional_vectors(synthetic(true, 160, 100), o);
    CHECK(skip.fit_from == 1);
    CHECK(std::isfinite(skip.layers[0].pc[0][0]));
    CHECK(std::isnan(all.layers[0].beyond_in_plane));
}
