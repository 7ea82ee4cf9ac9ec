// Attention-logit spread (core/metrics/logit_spread.hpp): quantiles read from the fixed histogram
// are within one bin width (0.25) of the exact quantiles of the logits counted; on stories260K the
// Vulkan pass's spread equals the CPU reference's within one bin; the session stage fills every
// configuration and layer from the cache on a second job, and draws its two figures.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/forward/vulkan_forward.hpp"
#include "core/io/preset_io.hpp"
#include "core/metrics/logit_spread.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/session/compute.hpp"
#include "core/session/figures.hpp"
#include "cpu_forward_scope.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

double exact_quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double at = q * double(v.size());
    const size_t k = std::min(v.size() - 1, size_t(std::max(0.0, std::ceil(at) - 1)));
    return v[k];
}

}  // namespace

TEST_CASE("logit spread: histogram quantiles are within one bin of the exact quantiles") {
    std::mt19937 rng(7);
    for (const double sigma : {0.3, 2.0, 6.0}) {
        std::normal_distribution<double> dist(1.5, sigma);
        std::vector<double> x(20000);
        std::vector<uint64_t> bins(size_t(AttentionStats::kBins), 0);
        for (double& v : x) {
            v = dist(rng);
            ++bins[size_t(stats_logit_bin(v))];
        }
        for (double q : kLogitQuantiles) {
            const double got = histogram_quantile(bins.data(), q), want = exact_quantile(x, q);
            CAPTURE(sigma);
            CAPTURE(q);
            CHECK(std::fabs(got - want) <= AttentionStats::kBinWidth);
        }
    }
    std::vector<uint64_t> empty(size_t(AttentionStats::kBins), 0);
    CHECK(std::isnan(histogram_quantile(empty.data(), 0.5)));
    CHECK(stats_logit_bin(-1000) == 0);
    CHECK(stats_logit_bin(1000) == AttentionStats::kBins - 1);
    CHECK(stats_logit_bin(0.0) == 128);
    CHECK(stats_distance_bucket(0) == 0);
    CHECK(stats_distance_bucket(1) == 1);
    CHECK(stats_distance_bucket(3) == 2);
    CHECK(stats_distance_bucket(4) == 3);
    CHECK(stats_distance_bucket(511) == 9);
    CHECK(stats_distance_bucket(512) == 10);
    CHECK(stats_bucket_first(10) == 512);
    CHECK(stats_bucket_last(10, 5000) == 1023);
}

// The histogram's 32-bit limit is per bucket: the pairs of each bucket, counted by brute force for
// small n, sum to n(n+1)/2; SmolLM2's 9 heads fit at 32768 tokens (heads × n(n+1)/2 would not),
// Gemma 3's 4 heads at 131072 do not.
TEST_CASE("logit spread: query-key pairs per distance bucket, and the 32-bit limit they set") {
    for (int n : {1, 2, 7, 64, 100, 513}) {
        std::vector<int64_t> brute(AttentionStats::kBuckets, 0);
        for (int i = 0; i < n; ++i)
            for (int j = 0; j <= i; ++j) ++brute[stats_distance_bucket(i - j)];
        int64_t total = 0;
        for (int b = 0; b < AttentionStats::kBuckets; ++b) {
            CHECK(stats_bucket_pairs(b, n) == brute[b]);
            total += stats_bucket_pairs(b, n);
        }
        CHECK(total == int64_t(n) * (n + 1) / 2);
    }
    int64_t total = 0;
    for (int b = 0; b < AttentionStats::kBuckets; ++b) total += stats_bucket_pairs(b, 200000);
    CHECK(total == int64_t(200000) * 200001 / 2);  // the last bucket takes every longer distance
    CHECK(9 * int64_t(32768) * 32769 / 2 > int64_t(UINT32_MAX));
    CHECK(9 * stats_most_pairs_per_bucket(32768) <= int64_t(UINT32_MAX));
    CHECK(4 * stats_most_pairs_per_bucket(131072) > int64_t(UINT32_MAX));
}

// stories260K (training length 512) at 1024 tokens: every bucket's quantiles of the GPU pass equal
// the CPU reference's within one bin; beyond 512 the buckets are marked, and the counts are those
// of every visible pair (heads × n(n+1)/2 over all buckets).
TEST_CASE("logit spread: stories260K on the GPU equals the CPU reference within one bin") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
    const Model model = load_model(dir + "stories260K.bin", dir + "tok512.bin");
    const TokenStream text =
        load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", *model.tokenizer);
    const int n = 1024;
    const std::vector<int> tokens(text.tokens.begin(), text.tokens.begin() + n);
    VulkanForward gpu(model, test::gpu_context());
    CpuForward cpu(model);
    for (const std::string method : {"none", "yarn:s=4,orig=512"}) {
        CAPTURE(method);
        const PositionPlan plan = make_plan(parse_method_spec(method), model.config, n);
        const LogitSpread g = logit_spread(logit_histogram_pass(gpu, tokens, plan), n, 512);
        const LogitSpread c = logit_spread(logit_histogram_pass(cpu, tokens, plan), n, 512);
        REQUIRE(g.layers.size() == size_t(model.config.n_layers) + 1);
        REQUIRE(c.layers.size() == g.layers.size());
        double worst = 0;
        for (size_t l = 0; l < g.layers.size(); ++l) {
            REQUIRE(g.layers[l].buckets.size() == c.layers[l].buckets.size());
            int64_t total = 0;
            for (size_t b = 0; b < g.layers[l].buckets.size(); ++b) {
                const LogitBucket &x = g.layers[l].buckets[b], &y = c.layers[l].buckets[b];
                CHECK(x.count == y.count);
                total += x.count;
                for (size_t k = 0; k < x.q.size(); ++k) worst = std::max(worst, std::fabs(x.q[k] - y.q[k]));
                CHECK(x.beyond_train == (x.first >= 512));
            }
            const int64_t layers = g.layers[l].layer < 0 ? model.config.n_layers : 1;
            CHECK(total == layers * model.config.n_heads * int64_t(n) * (n + 1) / 2);
        }
        MESSAGE(method << ": max |dq| GPU vs CPU = " << worst);
        CHECK(worst <= AttentionStats::kBinWidth);
        const LayerLogitSpread& all = g.layers.back();
        CHECK(all.layer == -1);
        CHECK(std::isfinite(all.spread_inside));
        CHECK(std::isfinite(all.spread_farthest));
        CHECK(all.buckets.back().beyond_train);
    }
}

TEST_CASE("session logit spread: the stage fills every configuration, is cached, and draws two figures") {
    test::CpuForwardScope cpu;
    ComputeRequest req;
    req.session = load_preset(std::string(XL_SOURCE_DIR) + "/presets/attention_logits.json");
    req.session.eval_length = 640;
    Engine engine;
    const auto r = compute_results(req, engine, {});
    REQUIRE(r->logit_spread_done);
    REQUIRE(r->configs.size() == 4);
    for (const ConfigResult& c : r->configs) {
        REQUIRE_MESSAGE(c.logit_spread, c.label);
        CHECK(c.logit_spread->layers.size() == size_t(engine.model().config.n_layers) + 1);
        CHECK(c.logit_spread->n == 640);
        CHECK(c.logit_spread->train_length == 512);
        // Direct: the same pass outside the session.
        const LogitSpread d = logit_spread(
            logit_histogram_pass(engine.forward(), std::vector<int>(engine.stream().tokens.begin(), engine.stream().tokens.begin() + 640),
                                 make_plan(parse_method_spec(c.method), engine.model().config, 640)),
            640, 512);
        CHECK(d.layers.back().buckets.back().q[2] == doctest::Approx(c.logit_spread->layers.back().buckets.back().q[2]));
    }
    const auto again = compute_results(req, engine, {});
    CHECK(again->configs[0].logit_spread == r->configs[0].logit_spread);  // the cached pointer
    ViewState v;
    const std::vector<FigureSpec> figs = panel_figures("logit_spread", *r, v);
    REQUIRE(figs.size() == 2);
    CHECK(figs[0].series.size() == 3 * r->configs.size());
    CHECK(figs[0].bands.size() == r->configs.size());
    CHECK(figs[0].markers.size() == 1);
    CHECK(!figs[1].series.empty());
    const Session preset = load_preset(std::string(XL_SOURCE_DIR) + "/presets/attention_logits.json");
    CHECK(std::find(preset.panels.begin(), preset.panels.end(), "logit_spread") != preset.panels.end());
}
