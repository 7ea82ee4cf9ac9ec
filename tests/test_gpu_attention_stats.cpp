// Attention statistics of every head in one pass (shaders/attention_rowstats.comp and
// attention_diagstats.comp via GpuOps::attention_stats) against their CPU twin
// ref::attention_stats, and the twin against the naive statistics of the full probability matrix
// of ref::attention (row_entropy, Σ_i p(i, i−d), Σ_{j<k} p), over a grid: head dims 8-256, GQA,
// causal masks, windows with and without sinks, the far branch, ALiBi, per-query scales, xPos.
// Tolerances (float on the GPU against double): entropy 2e-4 nats, sink mass 2e-5, mass per
// distance 1e-4 (a sum over up to n queries); twin against naive 1e-5. Logit counts: the same
// number of logits in every distance bucket, and at most 0.2 % + 2 of them moved to another bin by
// rounding at a bin edge (0.25 wide).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/forward/gpu_ops.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/attention_stats.hpp"
#include "core/ref/ops.hpp"
#include "core/session/attention_stats.hpp"
#include "tests/attention_test_plan.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;
using xl::test::Case;

namespace {

double max_diff(const std::vector<float>& a, const std::vector<float>& b) { return test::max_abs_diff(a, b); }

// Statistics of layer 0 from the full probabilities of every head (ref::attention's probe).
AttentionStats naive_stats(const std::vector<float>& rq, const std::vector<float>& rk, const std::vector<float>& fq,
                           const std::vector<float>& fk, const std::vector<float>& v, const Case& c,
                           const PositionPlan& plan, int sink_tokens) {
    const bool far = plan.far.enabled;
    AttentionStats s = empty_stats(1, c.heads, c.n, false);
    std::vector<float> out(rq.size()), probs(size_t(c.n) * c.n);
    for (int h = 0; h < c.heads; ++h) {
        ref::attention(rq.data(), rk.data(), far ? fq.data() : nullptr, far ? fk.data() : nullptr, v.data(), c.n,
                       c.heads, c.kv, c.hd, plan, out.data(), probs.data(), h);
        const std::vector<double> e = row_entropy(probs, c.n);
        for (int i = 0; i < c.n; ++i) {
            s.entropy[s.index(0, h, i)] = float(e[size_t(i)]);
            for (int j = 0; j <= i; ++j) {
                const float p = probs[size_t(i) * c.n + j];
                s.distance_mass[s.index(0, h, i - j)] += p;
                if (j < sink_tokens) s.sink_mass[s.index(0, h, i)] += p;
            }
        }
    }
    return s;
}

void check_stats(const Case& c, uint32_t seed) {
    CAPTURE(c.n); CAPTURE(c.heads); CAPTURE(c.kv); CAPTURE(c.hd); CAPTURE(c.rope_dim); CAPTURE(c.window);
    CAPTURE(c.sinks); CAPTURE(c.far_window); CAPTURE(c.alibi);
    auto ctx = test::gpu_context();
    const PositionPlan plan = test::make_test_plan(c);
    const size_t qn = size_t(c.n) * c.heads * c.hd, kn = size_t(c.n) * c.kv * c.hd;
    std::vector<float> rq = test::random_floats(qn, seed, -2.f, 2.f), rk = test::random_floats(kn, seed + 1, -2.f, 2.f);
    const std::vector<float> v = test::random_floats(kn, seed + 2);
    std::vector<float> fq(rq), fk(rk);
    const bool far = plan.far.enabled && c.rope_dim > 0;
    if (far) {
        ref::rope_apply(fq.data(), c.n, c.heads, c.hd, plan, plan.far.pos.q_pos, ref::RopeOperand::Query);
        ref::rope_apply(fk.data(), c.n, c.kv, c.hd, plan, plan.far.pos.k_pos, ref::RopeOperand::Key);
    }
    ref::rope_apply(rq.data(), c.n, c.heads, c.hd, plan, plan.near.q_pos, ref::RopeOperand::Query);
    ref::rope_apply(rk.data(), c.n, c.kv, c.hd, plan, plan.near.k_pos, ref::RopeOperand::Key);
    const int sink_tokens = 3;

    AttentionStats want = empty_stats(1, c.heads, c.n, true);
    ref::attention_stats(rq.data(), rk.data(), far ? fq.data() : nullptr, far ? fk.data() : nullptr, c.n, c.heads, c.kv,
                         c.hd, plan, sink_tokens, 0, want);
    const AttentionStats naive = naive_stats(rq, rk, fq, fk, v, c, plan, sink_tokens);
    CHECK(max_diff(want.entropy, naive.entropy) < 1e-5);
    CHECK(max_diff(want.sink_mass, naive.sink_mass) < 1e-5);
    CHECK(max_diff(want.distance_mass, naive.distance_mass) < 1e-5);

    gpu::Buffer gq = test::to_gpu(rq), gk = test::to_gpu(rk), gqf = test::to_gpu(fq), gkf = test::to_gpu(fk);
    gpu::Buffer gv = test::to_gpu(v), gqs = test::to_gpu(plan.query_scale), gsl = test::to_gpu(plan.alibi_slopes);
    gpu::Buffer out = test::gpu_floats(qn), lse = test::gpu_floats(size_t(c.n) * c.heads);
    gpu::Buffer rows = test::gpu_floats(2 * size_t(c.n) * c.heads), mass = test::gpu_floats(size_t(c.n) * c.heads);
    const size_t n_counts = size_t(AttentionStats::kBuckets) * AttentionStats::kBins;
    gpu::Buffer counts(*ctx, n_counts * 4);
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    AttentionInputs in{&gq, &gk, far ? &gqf : nullptr, far ? &gkf : nullptr, &gv, &gqs, c.alibi ? &gsl : nullptr};
    AttentionShape shape{c.n, c.heads, c.kv, c.hd, c.window, c.sinks, c.far_window};
    ops.attention(in, shape, out, lse);
    rec.fill(counts, 0u);
    ops.attention_stats(in, shape, lse, sink_tokens, 0, rows, mass, &counts);
    rec.submit();

    const std::vector<float> got_rows = test::from_gpu(rows, 2 * size_t(c.n) * c.heads);
    const std::vector<float> got_entropy(got_rows.begin(), got_rows.begin() + ptrdiff_t(want.entropy.size()));
    const std::vector<float> got_sink(got_rows.begin() + ptrdiff_t(want.entropy.size()), got_rows.end());
    const std::vector<float> got_mass = test::from_gpu(mass, want.distance_mass.size());
    std::vector<uint32_t> got_counts(n_counts);
    gpu::download(*ctx, counts, got_counts.data(), n_counts * 4);
    const double e_h = max_diff(got_entropy, want.entropy), e_s = max_diff(got_sink, want.sink_mass);
    const double e_m = max_diff(got_mass, want.distance_mass);
    int64_t moved = 0, total = 0;
    bool buckets_equal = true;
    for (int b = 0; b < AttentionStats::kBuckets; ++b) {
        int64_t got_b = 0, want_b = 0;
        for (int k = 0; k < AttentionStats::kBins; ++k) {
            const int64_t g = got_counts[want.count_index(0, b, k)], w = want.logit_counts[want.count_index(0, b, k)];
            moved += std::llabs(g - w);
            got_b += g;
            want_b += w;
        }
        buckets_equal = buckets_equal && got_b == want_b;
        total += want_b;
    }
    MESSAGE("stats hd " << c.hd << " n " << c.n << " window " << c.window << " sinks " << c.sinks << " far "
                        << c.far_window << " alibi " << c.alibi << ": max |dH| = " << e_h << ", |dsink| = " << e_s
                        << ", |dmass| = " << e_m << ", logits moved " << moved << " of " << total);
    CHECK(e_h < 2e-4);
    CHECK(e_s < 2e-5);
    CHECK(e_m < 1e-4);
    CHECK(buckets_equal);
    CHECK(total > 0);
    CHECK(double(moved) <= 0.002 * double(total) + 2);
    test::check_validation_clean(*ctx);
}

}  // namespace

TEST_CASE("gpu attention stats: entropy, sink mass, mass per distance and logit counts over head dims") {
    uint32_t seed = 500;
    for (int hd : {8, 16, 32, 64, 80, 96, 128, 256}) {
        check_stats({.n = 100, .heads = 4, .kv = 2, .hd = hd, .rope_dim = hd}, seed++);
        check_stats({.n = 83, .heads = 2, .kv = 1, .hd = hd, .rope_dim = hd, .window = 24, .sinks = 3,
                     .far_window = 20, .varying_scale = true}, seed++);
    }
}

TEST_CASE("gpu attention stats: windows without sinks, ALiBi, far branch, xpos") {
    check_stats({.n = 97, .heads = 4, .kv = 4, .hd = 8, .rope_dim = 0, .window = 7, .alibi = true}, 600);
    check_stats({.n = 130, .heads = 4, .kv = 2, .hd = 8, .rope_dim = 8, .window = 40, .sinks = 2, .far_window = 9,
                 .alibi = true, .varying_scale = true}, 601);
    check_stats({.n = 90, .heads = 4, .kv = 1, .hd = 64, .rope_dim = 32, .layout = RopeLayout::NeoX, .far_window = 12,
                 .xpos_gamma = 256}, 602);
    check_stats({.n = 1, .heads = 2, .kv = 1, .hd = 16, .rope_dim = 16}, 603);
}

// Longer than one 64-distance workgroup many times over, and the octave buckets up to 512-1023.
TEST_CASE("gpu attention stats: 700 tokens, head size 64") {
    check_stats({.n = 700, .heads = 2, .kv = 1, .hd = 64, .rope_dim = 64}, 700);
}

// The pass itself: stories260K on the Vulkan forward pass vs the CPU reference with the statistics
// of every layer and head (1e-3 nats / 1e-4 mass: the activations of five layers differ by float
// rounding), and the per-layer means against the old way, one probe pass per layer × head
// (row_entropy and mass_within_distance of each head's full matrix, averaged over heads).
TEST_CASE("gpu attention stats: stories260K forward pass equals the CPU reference and the per-head probes") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text =
        load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", *model.tokenizer);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    const int n = 300;
    for (const std::string method : {"none", "sinks:start=4", "selfextend"}) {
        CAPTURE(method);
        ForwardRequest r;
        r.tokens.assign(text.tokens.begin(), text.tokens.begin() + n);
        r.plan = make_plan(parse_method_spec(method), model.config, n);
        r.want_nll = false;
        r.stats.want = true;
        r.stats.logit_histogram = true;
        const ForwardResult g = gpu.run(r), c = cpu.run(r);
        REQUIRE(g.stats.entropy.size() == size_t(model.config.n_layers) * model.config.n_heads * n);
        REQUIRE(c.stats.entropy.size() == g.stats.entropy.size());
        const double e_h = max_diff(g.stats.entropy, c.stats.entropy), e_m = max_diff(g.stats.distance_mass, c.stats.distance_mass);
        const double e_s = max_diff(g.stats.sink_mass, c.stats.sink_mass);
        int64_t moved = 0, total = 0;
        for (size_t k = 0; k < g.stats.logit_counts.size(); ++k) {
            moved += std::llabs(int64_t(g.stats.logit_counts[k]) - int64_t(c.stats.logit_counts[k]));
            total += c.stats.logit_counts[k];
        }
        MESSAGE(method << ": max |dH| = " << e_h << ", |dmass| = " << e_m << ", |dsink| = " << e_s << ", logits moved "
                       << moved << " of " << total);
        CHECK(e_h < 1e-3);
        CHECK(e_m < 1e-3);
        CHECK(e_s < 1e-4);
        CHECK(total > 0);
        CHECK(double(moved) <= 0.002 * double(total));

        const LayerMeans m = layer_means(g.stats);
        ForwardRequest probe = r;
        probe.stats = {};
        probe.want_attention = true;
        double worst_h = 0, worst_m = 0;
        for (int l = 0; l < model.config.n_layers; ++l) {
            std::vector<double> h_mean(size_t(n), 0.0), m_mean(size_t(n), 0.0);
            for (int h = 0; h < model.config.n_heads; ++h) {
                probe.probe = {l, h, 0};
                const ForwardResult p = gpu.run(probe);
                const std::vector<double> e = row_entropy(p.attention, n), w = mass_within_distance(p.attention, n);
                for (int i = 0; i < n; ++i) {
                    h_mean[size_t(i)] += e[size_t(i)] / model.config.n_heads;
                    m_mean[size_t(i)] += w[size_t(i)] / model.config.n_heads;
                }
            }
            for (int i = 0; i < n; ++i) {
                worst_h = std::max(worst_h, std::fabs(h_mean[size_t(i)] - m.entropy[size_t(l)][size_t(i)]));
                worst_m = std::max(worst_m, std::fabs(m_mean[size_t(i)] - m.receptive[size_t(l)][size_t(i)]));
            }
        }
        MESSAGE(method << ": per-head probes vs one pass: max |dH| = " << worst_h << ", |dmass within d| = " << worst_m);
        CHECK(worst_h < 2e-4);
        CHECK(worst_m < 1e-4);
    }
}
