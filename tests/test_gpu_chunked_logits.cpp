// Long windows and large vocabularies on the Vulkan forward pass: the logits of every position
// stream to the caller in classifier chunks (never an n × vocab buffer), their log-softmax at the
// next token equals the pass's own NLL (1e-4 nats), the kept hidden states give bit-identical
// logits through head_logits, checkpoints between and inside layers leave the numbers unchanged
// (bitwise) and can abandon a pass inside a layer, and the memory estimate is linear in n with an n-independent logits term.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/synthetic_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

struct Abandon {};

std::vector<int> some_tokens(int n, int vocab) {
    std::vector<int> t(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) t[size_t(i)] = int((uint64_t(i) * 2654435761u + 17) % uint64_t(vocab));
    return t;
}

// stories260K's blocks with a random tied vocabulary of `vocab` entries (`table` holds it).
Model with_vocabulary(int vocab, uint64_t seed, std::vector<float>& table) {
    Model model = make_synthetic_model("stories260k", TensorType::F32, seed);
    table = test::random_floats(size_t(vocab) * size_t(model.config.dim), uint32_t(seed) + 8, -0.1f, 0.1f);
    model.config.vocab_size = vocab;
    model.weights.token_embedding.rows = vocab;
    model.weights.token_embedding.data = reinterpret_cast<const uint8_t*>(table.data());
    model.weights.output = Tensor{};
    return model;
}

}  // namespace

TEST_CASE("gpu chunked logits: streamed chunks agree with the NLL and with head_logits - checkpoints change nothing") {
    // stories260K's blocks with a 32000-entry (tied) vocabulary: one 64 MiB classifier chunk holds
    // ~512 rows, so 1400 tokens take three chunks.
    std::vector<float> table;
    const Model model = with_vocabulary(32000, 3, table);
    VulkanForward gpu(model, test::gpu_context());
    const int n = 1400, V = model.config.vocab_size;
    ForwardRequest req;
    req.tokens = some_tokens(n, V);
    req.plan = make_plan(parse_method_spec("yarn:s=4,orig=256"), model.config, n);
    const ForwardResult plain = gpu.run(req);

    int chunks = 0, next_row = 0, widest = 0;
    double worst = 0;
    std::vector<float> streamed;  // kept here only to compare with head_logits below
    std::vector<double> lp;
    req.want_final_hidden = true;
    req.want_all_logits = false;
    req.logits_sink = [&](int first, int rows, const float* l) {
        CHECK(first == next_row);
        next_row += rows;
        widest = std::max(widest, rows);
        ++chunks;
        for (int i = 0; i < rows && first + i < n - 1; ++i) {
            log_softmax_row(l + size_t(i) * V, V, lp);
            const double nll = -lp[size_t(req.tokens[size_t(first + i + 1)])];
            worst = std::max(worst, std::fabs(nll - double(plain.nll[size_t(first + i)])));
        }
        streamed.insert(streamed.end(), l, l + size_t(rows) * V);
    };
    int checkpoints = 0;
    std::vector<double> done;  // the fractions the pass reports at its stop points
    req.checkpoint = [&](double f) { ++checkpoints; done.push_back(f); };
    const ForwardResult streamed_run = gpu.run(req);
    CHECK(next_row == n);
    CHECK(chunks >= 3);
    CHECK(int64_t(widest) * V * 4 <= int64_t(64) << 20);
    CHECK(streamed_run.all_logits.empty());
    CHECK(worst < 1e-4);
    MESSAGE(chunks << " chunks of at most " << widest << " rows; max |NLL from streamed logits - NLL| " << worst);
    // Stop points between layers and inside each (after the projections, the attention, every MLP
    // chunk's first products), then one per classifier chunk at 1; the fractions never go back.
    const int L = model.config.n_layers;
    CHECK(checkpoints >= 4 * L + chunks);
    CHECK(std::count(done.begin(), done.end(), 1.0) == chunks);
    CHECK(done.front() == 0.0);
    CHECK(std::is_sorted(done.begin(), done.end()));
    for (int l = 0; l < L; ++l) {  // each layer has stop points strictly inside it
        CHECK(std::count_if(done.begin(), done.end(), [&](double f) { return f > double(l) / L && f < double(l + 1) / L; }) >= 3);
    }
    REQUIRE(streamed_run.nll.size() == plain.nll.size());
    CHECK(std::memcmp(streamed_run.nll.data(), plain.nll.data(), plain.nll.size() * 4) == 0);  // segments: same numbers

    REQUIRE(streamed_run.final_hidden.size() == size_t(n) * model.config.dim);
    std::vector<float> again;
    REQUIRE(gpu.head_logits(streamed_run.final_hidden.data(), n, [&](int first, int rows, const float* l) {
        CHECK(size_t(first) * V == again.size());
        again.insert(again.end(), l, l + size_t(rows) * V);
    }));
    REQUIRE(again.size() == streamed.size());
    CHECK(std::memcmp(again.data(), streamed.data(), again.size() * 4) == 0);

    // A checkpoint that throws abandons the pass inside layer 0 (its third stop point: after the
    // attention); the engine stays usable and exact.
    ForwardRequest cancelled = req;
    cancelled.logits_sink = nullptr;
    int calls = 0;
    cancelled.checkpoint = [&](double) { if (++calls == 3) throw Abandon{}; };
    CHECK_THROWS_AS(gpu.run(cancelled), Abandon);
    CHECK(calls == 3);
    ForwardRequest after;
    after.tokens = req.tokens;
    after.plan = req.plan;
    const ForwardResult again_plain = gpu.run(after);
    CHECK(std::memcmp(again_plain.nll.data(), plain.nll.data(), plain.nll.size() * 4) == 0);
    test::check_validation_clean(gpu.context());
}

TEST_CASE("gpu memory estimate: linear in tokens, the logits term independent of n") {
    const Model model = make_synthetic_model("stories15m", TensorType::F32, 1);
    VulkanForward gpu(model, test::gpu_context());
    const MemoryEstimate a = gpu.memory_estimate(4096), b = gpu.memory_estimate(8192), c = gpu.memory_estimate(32768);
    CHECK(a.weights > 40ll << 20);   // 15M parameters in F32: about 60 MB
    CHECK(b.activations == 2 * a.activations);
    CHECK(c.activations == 8 * a.activations);
    CHECK(a.logits == c.logits);
    CHECK(a.logits <= 64ll << 20);
    CHECK(a.available > 0);
    MESSAGE("stories15m shape at 32768 tokens: weights " << (c.weights >> 20) << " MiB, activations "
            << (c.activations >> 20) << " MiB, logits chunk " << (c.logits >> 20) << " MiB, device " << (c.available >> 20) << " MiB");
}

TEST_CASE("gpu classifier chunks: whole matmul tiles above 32768 vocabulary entries, equal to the CPU reference") {
    // stories260K's blocks with SmolLM2's 49152-entry vocabulary: 64 MiB hold 341 rows, so a chunk
    // is 256 rows (8 tokens per lane on 32 lanes), not one row per 512-token tile as before.
    const int vocab = 49152;
    std::vector<float> table;
    const Model model = with_vocabulary(vocab, 5, table);
    VulkanForward gpu(model, test::gpu_context());
    CHECK(gpu.memory_estimate(4096).logits == int64_t(256) * vocab * 4);
    const int n = 300;  // chunks of 256 and 43 rows: 8 tokens on 32 and 8 lanes
    ForwardRequest req;
    req.tokens = some_tokens(n, vocab);
    req.plan = make_plan(parse_method_spec("none"), model.config, n);
    const ForwardResult got = gpu.run(req);
    const ForwardResult want = CpuForward(model).run(req);
    REQUIRE(got.nll.size() == want.nll.size());
    double worst = 0;
    for (size_t i = 0; i < got.nll.size(); ++i) worst = std::max(worst, std::fabs(double(got.nll[i]) - want.nll[i]));
    CHECK(worst < 1e-4);
    MESSAGE("vocab 49152, 300 tokens: max |GPU NLL - CPU NLL| " << worst);
}
