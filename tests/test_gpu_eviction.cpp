// The KV-cache eviction simulation on Vulkan (core/forward/vulkan_eviction.cpp, reached through
// Forward::eviction()) against its CPU twin (core/ref/kv_eviction.cpp) on stories260K:
//  - a grid of policy × bookkeeping × (budget, chunk) × method (none, YaRN, Self-Extend's two
//    branches): per-token NLL, perplexity, evictions, the probe layer's kept sets and its map;
//  - budget >= N is the whole-sequence pass (GPU and CPU), the policies over bookkeepings and chunks,
//    and the full-context line (EvictionEngine::full_context) is that pass;
//  - every architecture (and the ALiBi model) equals the CPU reference, evicting and not;
//  - the map at a grid equals the N×N map's block means; bad settings name the problem;
//  - with a shrunk storage binding the step's MLP runs in chunks (equal exactly), and a cache or
//    chunk beyond the binding is refused by name.
// Kept sets: the policies rank keys by masses the GPU sums in float and the CPU in double, so a
// ranking whose cut falls between two masses closer than their rounding (H2O: relative gaps of
// 3e-5 occur on this grid) could go either way; SnapKV's max-pooling makes exact ties (gap 0),
// which both backends break by slot order. A cell must give the CPU's kept sets, evictions and
// per-token NLL within nll_tol() (1e-4 scalar, 1e-3 cooperative); only a cell whose choices came within kTieMargin of a tie
// (EvictionResult::min_margin, either backend) may diverge, and is then held to the perplexity
// within kTiePplTol. On lavapipe none diverges (the count is printed).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/eviction_map.hpp"
#include "core/ref/kv_eviction.hpp"
#include "arch_models_for_tests.hpp"
#include "model_test_files.hpp"
#include "tests/test_gpu_util.hpp"

namespace {

// Per token, GPU eviction vs CPU eviction (and vs the full passes): fp32 throughout on the scalar
// path (lavapipe: 4.6e-5 at most); the projections' fp16 operands on a cooperative-matrix device
// (the H200 put one streaming-policy cell over YaRN above 1e-4, same kept sets and perplexity)
// get the 1e-3 of the catalogue methods' GPU tests.
double nll_tol() { return xl::test::gpu_context()->has_coop_matrix() ? 1e-3 : 1e-4; }
constexpr double kMapTol = 1e-5;      // probe attention map cells
constexpr double kTieMargin = 1e-4;   // relative gap at the cut above which both backends must agree
constexpr double kTiePplTol = 1e-2;   // relative perplexity of a near-tie cell

struct Fixture {
    xl::Model model = xl::load_model(xl::test::stories_gguf());
    std::vector<int> tokens;
    xl::VulkanForward gpu{model, xl::test::gpu_context()};
    explicit Fixture(int n) {
        const auto stream = xl::load_token_stream(xl::test::shared("data/tinystories/valid-first201.txt"), *model.tokenizer);
        REQUIRE(int(stream.tokens.size()) >= n);
        tokens.assign(stream.tokens.begin(), stream.tokens.begin() + n);
    }
    std::function<xl::PositionPlan(int)> plans(const std::string& spec) const {
        const auto parsed = xl::parse_method_spec(spec);
        return [this, parsed](int n) { return xl::make_plan(parsed, model.config, n); };
    }
    xl::EvictionEngine& engine() {
        xl::EvictionEngine* e = gpu.eviction();
        REQUIRE(e != nullptr);
        return *e;
    }
};

xl::EvictionRun settings(xl::EvictionPolicy p, xl::PositionBookkeeping b, int budget, int chunk) {
    xl::EvictionRun r;
    r.policy.policy = p;
    r.policy.budget = budget;
    r.positions = b;
    r.chunk = chunk;
    return r;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    REQUIRE(a.size() == b.size());
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::isnan(a[i]) || std::isnan(b[i])) d = std::max(d, std::isnan(a[i]) == std::isnan(b[i]) ? 0.0 : 1e30);
        else d = std::max(d, double(std::fabs(a[i] - b[i])));
    return d;
}

const xl::EvictionPolicy kPolicies[] = {xl::EvictionPolicy::Window, xl::EvictionPolicy::Streaming,
                                        xl::EvictionPolicy::H2O, xl::EvictionPolicy::SnapKV};
const xl::PositionBookkeeping kBooks[] = {xl::PositionBookkeeping::Reassigned, xl::PositionBookkeeping::Original};

}  // namespace

TEST_CASE("gpu eviction: every policy, bookkeeping and method, at two budgets and chunks, equals the CPU reference") {
    const int N = 100;
    Fixture f(N);
    xl::EvictionSimulator cpu(f.model);
    int cells = 0, near_ties = 0, diverged = 0;
    double worst_nll = 0, worst_map = 0;
    for (const std::string spec : {"none", "yarn:s=4,orig=32", "selfextend:G=4,W=16"}) {
        const auto plans = f.plans(spec);
        for (auto p : kPolicies)
            for (auto b : kBooks) {
                // (budget, chunk): a chunk dividing neither N nor the budget, or one that does;
                // every policy × bookkeeping meets both over the methods.
                const bool odd = (cells + cells / 8) % 2 == 1;
                const int budget = odd ? 40 : 24, chunk = odd ? 7 : 16;
                auto r = settings(p, b, budget, chunk);
                r.probe_layer = 2;
                r.probe_head = -1;
                CAPTURE(spec);
                CAPTURE(xl::policy_name(p));
                CAPTURE(xl::bookkeeping_name(b));
                CAPTURE(budget);
                CAPTURE(chunk);
                const auto want = cpu.run(f.tokens, plans, r);
                const auto got = f.engine().run(f.tokens, plans, r);
                REQUIRE(got.nll.size() == want.nll.size());
                CHECK(want.evictions > 0);
                ++cells;
                const bool near_tie = std::min(want.min_margin, got.min_margin) < kTieMargin;
                near_ties += near_tie;
                const double d = max_abs_diff(got.nll, want.nll);
                if (got.kept_before_chunk != want.kept_before_chunk || got.evictions != want.evictions || d >= nll_tol()) {
                    ++diverged;  // allowed only for a near tie (see the header)
                    MESSAGE("diverged: max |dNLL| " << d << ", margin " << want.min_margin << " / " << got.min_margin << ", perplexity "
                                                << want.perplexity << " / " << got.perplexity);
                    CHECK(near_tie);
                    CHECK(got.perplexity == doctest::Approx(want.perplexity).epsilon(kTiePplTol));
                    continue;
                }
                const double dm = max_abs_diff(got.attention, want.attention);
                worst_nll = std::max(worst_nll, d);
                worst_map = std::max(worst_map, dm);
                CHECK(dm < kMapTol);
                CHECK(got.perplexity == doctest::Approx(want.perplexity).epsilon(1e-5));
            }
    }
    MESSAGE(cells << " cells, " << near_ties << " within " << kTieMargin << " of a tie, " << diverged
                  << " diverged; max |dNLL| " << worst_nll << ", max |dmap| " << worst_map);
    CHECK(diverged <= cells / 4);  // ties are the exception the header describes, not the rule
    xl::test::check_validation_clean(f.gpu.context());
}

TEST_CASE("gpu eviction: budget at least the text length gives the full pass, policies in turn over bookkeepings and chunks") {
    const int N = 80;
    Fixture f(N);
    double worst = 0;
    for (const std::string spec : {"none", "yarn:s=4,orig=32", "selfextend:G=4,W=16"}) {
        const auto plans = f.plans(spec);
        xl::ForwardRequest req;
        req.tokens = f.tokens;
        req.plan = plans(N);
        const auto full_gpu = f.gpu.run(req).nll;
        const auto full_cpu = xl::CpuForward(f.model).run(req).nll;
        REQUIRE(full_gpu.size() == size_t(N - 1));
        int k = 0;
        for (auto b : kBooks)
            for (int chunk : {1, 7, 32, N}) {
                if (chunk == 1 && (spec != "none" || b != xl::PositionBookkeeping::Original)) continue;  // once is enough
                const auto p = kPolicies[k++ % 4];  // the policies in turn
                CAPTURE(spec);
                CAPTURE(xl::policy_name(p));
                CAPTURE(xl::bookkeeping_name(b));
                CAPTURE(chunk);
                const auto res = f.engine().run(f.tokens, plans, settings(p, b, N, chunk));
                CHECK(res.evictions == 0);
                const double d = std::max(max_abs_diff(res.nll, full_gpu), max_abs_diff(res.nll, full_cpu));
                worst = std::max(worst, d);
                CHECK(d < nll_tol());
            }
        // The sweep's full-context line: the whole-sequence pass on the GPU, counted in chunk steps.
        int last = 0, of = 0;
        const auto line = f.engine().full_context(f.tokens, plans, settings(xl::EvictionPolicy::SnapKV, kBooks[0], 8, 7),
                                                  [&](int done, int total) { last = done, of = total; });
        CHECK(line.nll == full_gpu);
        CHECK(last == (N + 6) / 7);
        CHECK(of == (N + 6) / 7);
    }
    MESSAGE("max |dNLL| against the whole-sequence GPU and CPU passes: " << worst);
}

TEST_CASE("gpu eviction: every architecture and ALiBi equal the CPU reference, evicting or not") {
    // Every architecture's random-weight model and the real ALiBi model (its slopes' distances by plan index).
    xl::test::TempDir tmp;
    for (const xl::Model& m : xl::test::every_architecture_and_alibi(tmp)) {
        CAPTURE(m.config.name);
        const int N = 48;
        const std::vector<int> tokens = xl::test::cyclic_tokens(N, m.config.vocab_size);
        const auto none = xl::parse_method_spec("none");
        const auto plans = [&](int n) { return xl::make_plan(none, m.config, n); };
        xl::VulkanForward gpu(m, xl::test::gpu_context());
        xl::EvictionSimulator cpu(m);
        for (auto b : kBooks)
            for (auto r : {settings(xl::EvictionPolicy::H2O, b, N, 7), settings(xl::EvictionPolicy::Streaming, b, 16, 7)}) {
                CAPTURE(xl::bookkeeping_name(b));
                CAPTURE(r.policy.budget);
                const auto want = cpu.run(tokens, plans, r), got = gpu.eviction()->run(tokens, plans, r);
                CHECK(got.evictions == want.evictions);
                CHECK(max_abs_diff(got.nll, want.nll) < nll_tol());
            }
    }
}

TEST_CASE("gpu eviction: the map at a grid is the block mean of the N×N map's available cells") {
    const int N = 100, grid = 16;
    Fixture f(N);
    auto r = settings(xl::EvictionPolicy::H2O, xl::PositionBookkeeping::Original, 30, 9);
    r.probe_layer = 1;
    r.probe_head = 2;
    const auto plans = f.plans("none");
    const auto full = f.engine().run(f.tokens, plans, r);
    r.map_grid = grid;
    const auto gridded = f.engine().run(f.tokens, plans, r);
    REQUIRE(gridded.map_grid == grid);
    REQUIRE(gridded.map.size() == size_t(grid * grid));
    CHECK(gridded.attention.empty());
    CHECK(gridded.nll == full.nll);
    // Independent reduction: available(i, j) = j kept before i's chunk, or in the chunk at or before i.
    int checked = 0;
    for (int br = 0; br < grid; ++br)
        for (int bc = 0; bc < grid; ++bc) {
            double sum = 0;
            int count = 0;
            for (int i = br * N / grid; i < (br + 1) * N / grid; ++i)
                for (int j = bc * N / grid; j < (bc + 1) * N / grid; ++j) {
                    const int step = i / r.chunk;
                    const auto& kept = full.kept_before_chunk[size_t(step)];
                    const bool avail = (j >= step * r.chunk && j <= i) || std::find(kept.begin(), kept.end(), j) != kept.end();
                    if (avail) sum += full.attention[size_t(i) * N + j], ++count;
                }
            const float cell = gridded.map[size_t(br) * grid + bc];
            if (count == 0) {
                CHECK(std::isnan(cell));
            } else {
                CHECK(cell == doctest::Approx(sum / count).epsilon(1e-5));
                ++checked;
            }
        }
    CHECK(checked > grid * (grid + 1) / 2 / 2);  // below the diagonal, most blocks hold kept keys
}

TEST_CASE("gpu eviction: bad settings name the problem, a budget beyond the device's memory is refused") {
    Fixture f(40);
    const auto plans = f.plans("none");
    auto r = settings(xl::EvictionPolicy::Streaming, xl::PositionBookkeeping::Original, 4, 8);
    r.policy.sinks = 4;
    CHECK_THROWS_WITH_AS(f.engine().run(f.tokens, plans, r), doctest::Contains("sinks < budget"), xl::Error);
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, 8, 0);
    CHECK_THROWS_WITH_AS(f.engine().run(f.tokens, plans, r), doctest::Contains("chunk size"), xl::Error);
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Original, 8, 8);
    r.probe_layer = 99;
    CHECK_THROWS_WITH_AS(f.engine().run(f.tokens, plans, r), doctest::Contains("probe layer 99"), xl::Error);
    // A device of 160 MiB (XL_TEST_DEVICE_MEMORY_MB, core/gpu/fault_injection.hpp) cannot hold a
    // cache of 65536 entries per layer (about 90 MiB beside 128 MiB of headroom): refused before
    // anything is allocated.
    const std::vector<int> long_text(size_t(1) << 16, f.tokens[1]);
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Reassigned, 1 << 16, 64);
    setenv("XL_TEST_DEVICE_MEMORY_MB", "160", 1);
    std::string refusal;
    xl::ErrorKind kind = xl::ErrorKind::BadArgument;
    try {
        f.engine().run(long_text, plans, r);
    } catch (const xl::Error& e) {
        refusal = e.what();
        kind = e.kind();
    }
    unsetenv("XL_TEST_DEVICE_MEMORY_MB");
    INFO(refusal);
    CHECK(kind == xl::ErrorKind::OutOfMemory);
    CHECK(refusal.find("a KV cache of 65536 entries + a chunk of 64 in each of 5 layers") != std::string::npos);
    CHECK(refusal.find("lower the budget or the chunk") != std::string::npos);
    // The engine still runs afterwards.
    r = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Reassigned, 8, 8);
    CHECK(std::isfinite(f.engine().run(f.tokens, plans, r).perplexity));
}

TEST_CASE("gpu eviction: shrunk storage bindings: a step's MLP in chunks equals the one-chunk run exactly, a cache or chunk beyond a binding is refused") {
    // XL_TEST_STORAGE_RANGE_KB (core/gpu/fault_injection.hpp) makes the binding hold about 40 tokens
    // of the hidden layer, so each 64-token step runs its MLP in two chunks (record_mlp); every
    // token's row is computed as in one chunk, so the losses are equal exactly. A fresh engine per
    // setting: the MLP chunk is fixed when the activations are first sized. No probe: its rows
    // ([H][chunk][cache]) would not fit the small binding.
    const int N = 200;
    Fixture whole(N);
    const auto plans = whole.plans("yarn:s=4,orig=32");
    auto r = settings(xl::EvictionPolicy::H2O, xl::PositionBookkeeping::Reassigned, 48, 64);
    const auto one_chunk = whole.engine().run(whole.tokens, plans, r);
    const int kb = std::max(1, int(int64_t(40) * 4 * whole.model.config.hidden_dim / 1024));
    const int hidden_row = 4 * whole.model.config.hidden_dim;
    REQUIRE(kb * 1024 / hidden_row < r.chunk);  // the step's MLP is chunked
    REQUIRE(kb * 1024 / hidden_row >= r.chunk / 2);  // in two chunks
    std::string refusal;
    {
        struct RangeScope {  // unset again however the block ends
            explicit RangeScope(int kb) { setenv("XL_TEST_STORAGE_RANGE_KB", std::to_string(kb).c_str(), 1); }
            ~RangeScope() { unsetenv("XL_TEST_STORAGE_RANGE_KB"); }
        } range(kb);
        Fixture chunked(N);
        const auto got = chunked.engine().run(chunked.tokens, plans, r);
        REQUIRE(got.nll.size() == one_chunk.nll.size());
        CHECK(got.nll == one_chunk.nll);
        CHECK(got.evictions == one_chunk.evictions);
        CHECK(one_chunk.evictions > 0);
        // One layer's keys at a budget of 4096 (stories260K: 128 bytes an entry, 520 KiB) exceed the
        // shrunk binding: refused by name before anything is allocated, and the engine runs on.
        const std::vector<int> long_text(4200, whole.tokens[1]);
        auto big = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Reassigned, 4096, 64);
        try {
            chunked.engine().run(long_text, plans, big);
        } catch (const xl::Error& e) {
            CHECK(e.kind() == xl::ErrorKind::OutOfMemory);
            refusal = e.what();
        }
        // A chunk longer than one pass of the forward's own buffers holds (their rows bound by the binding too).
        const int64_t most = chunked.gpu.max_tokens();
        REQUIRE(most < N);
        auto wide = settings(xl::EvictionPolicy::Window, xl::PositionBookkeeping::Reassigned, 16, int(most) + 1);
        const std::string too_long = "longer than one forward pass holds (" + std::to_string(most) + " tokens)";
        CHECK_THROWS_WITH_AS(chunked.engine().run(chunked.tokens, plans, wide), doctest::Contains(too_long.c_str()),
                             xl::Error);
        CHECK(std::isfinite(chunked.engine().run(chunked.tokens, plans, r).perplexity));
    }
    INFO(refusal);
    CHECK(refusal.find("a KV cache of 4096 entries + a chunk of 64: one layer's keys (or values) take") != std::string::npos);
    CHECK(refusal.find("beyond the largest buffer the device binds (" + std::to_string(kb) + " KiB)") != std::string::npos);
    xl::test::check_validation_clean(*xl::test::gpu_context());
}
