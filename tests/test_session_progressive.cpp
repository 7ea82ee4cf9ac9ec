// Progressive evaluation (issue 12): previews sized from the measured cost of the last pass, and
// the guarantee that makes them safe — the finished result after any sequence of previews and
// cancelled passes equals the non-progressive computation exactly (bit for bit), while a cancelled
// pass leaves the last finished result shown. Previews are never exported.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/session/compute.hpp"
#include "core/session/headless_figures.hpp"
#include "core/session/job_runner.hpp"

using namespace xl;

namespace {

ComputeRequest progressive_request(const std::string& method_b) {
    ComputeRequest req;
    req.session = default_session();
    req.session.base_dir = std::string(XL_SOURCE_DIR) + "/presets";
    req.session.configs = {{"none"}, {method_b}};
    req.session.eval_length = 1024;
    req.session.lengths = {256, 1024};
    req.session.max_windows = 1;
    req.session.panels = {"perplexity", "attention"};
    req.want_entropy = false;
    req.want_logit = false;
    return req;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

void check_identical(const Results& x, const Results& y) {
    REQUIRE(x.configs.size() == y.configs.size());
    CHECK(x.eval_length == y.eval_length);
    CHECK(x.preview_of == 0);
    CHECK(y.preview_of == 0);
    CHECK(x.sweep_done);
    CHECK(y.sweep_done);
    for (size_t i = 0; i < x.configs.size(); ++i) {
        const ConfigResult &a = x.configs[i], &b = y.configs[i];
        CAPTURE(a.method);
        CHECK(a.method == b.method);
        CHECK(same_bits(a.position_loss, b.position_loss));
        CHECK(std::memcmp(&a.eval_ppl, &b.eval_ppl, sizeof(double)) == 0);
        CHECK(same_bits(a.attention.p, b.attention.p));
        CHECK(same_bits(a.ppl, b.ppl));
        CHECK(same_bits(a.ppl_stderr, b.ppl_stderr));
        CHECK(same_bits(a.kl_to_first, b.kl_to_first));
    }
}

// Submits compute_results for `req` to the runner, with the hooks the app uses; `on_check` runs
// at every checkpoint (between layers, windows, stages) before the runner's own check.
uint64_t submit(JobRunner& runner, std::shared_ptr<Engine> engine, ComputeRequest req,
                std::function<void()> on_check = nullptr) {
    return runner.submit([req, engine, on_check](JobContext& ctx) mutable {
        req.generation = ctx.generation();
        ComputeHooks hooks;
        hooks.check = [&ctx, on_check] { if (on_check) on_check(); ctx.check(); };
        hooks.publish = [&ctx](std::shared_ptr<const Results> r) { ctx.publish(std::move(r)); };
        return compute_results(req, *engine, hooks);
    });
}

}  // namespace

TEST_CASE("progressive: preview length from the measured cost") {
    // Nothing measured: a preview of four times the minimum.
    CHECK(preview_length({}, 2048, 1, 0.15) == 4 * kMinPreviewTokens);
    // 1024 tokens took 0.3 s: 512 tokens fit 0.15 s (linear below the measured length).
    CHECK(preview_length({1024, 0.3}, 2048, 1, 0.15) == 512);
    CHECK(preview_length({1024, 0.3}, 2048, 2, 0.15) == 256);   // two passes share the budget
    // 256 tokens took 0.01 s: 1024 would cost at most 0.01·4·4 = 0.16 s (quadratic above): 512.
    CHECK(preview_length({256, 0.01}, 2048, 1, 0.15) == 512);
    CHECK(preview_length({2048, 0.05}, 2048, 1, 0.15) == 2048);   // the whole window fits: no preview
    CHECK(preview_length({1024, 10.0}, 2048, 1, 0.15) == kMinPreviewTokens);  // never below the minimum
    CHECK(preview_length({1024, 10.0}, kMinPreviewTokens - 8, 1, 0.15) == kMinPreviewTokens - 8);  // short window: all
}

TEST_CASE("progressive: a preview covers a prefix, is labelled, skips the sweep, and is never exported") {
    auto engine = std::make_shared<Engine>();
    ComputeRequest req = progressive_request("yarn:s=4,orig=512");
    const auto full = compute_results(req, *engine, {});
    REQUIRE(engine->last_pass().tokens == 1024);
    engine->last_pass().seconds = 4.0;  // pretend the device is slow: the preview must be short
    req.session.configs[1].method = "yarn:s=3,orig=512";
    req.preview_budget_s = 0.15;
    const auto p = compute_results(req, *engine, {});
    CHECK(p->preview_of == 1024);
    CHECK(p->eval_length == kMinPreviewTokens);
    CHECK_FALSE(p->sweep_done);
    REQUIRE(p->configs.size() == 2);
    CHECK(p->configs[1].position_loss.size() == size_t(kMinPreviewTokens));
    CHECK(std::isfinite(p->configs[1].eval_ppl));
    // The preview's losses are the full pass's first positions (causal: a prefix sees the same
    // tokens) to float rounding, for configuration A (method unchanged).
    for (int i = 1; i < kMinPreviewTokens; ++i)
        CHECK(p->configs[0].position_loss[size_t(i)] == doctest::Approx(full->configs[0].position_loss[size_t(i)]).epsilon(1e-4));
    const std::string dir = (std::filesystem::temp_directory_path() / "xl_preview_export").string();
    std::filesystem::remove_all(dir);
    CHECK_THROWS_AS(write_results_figures(req.session, *p, ViewState{}, dir, 1.0), Error);
    CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("progressive: a full computation warms every configuration's preview, so a drag computes one pass") {
    auto engine = std::make_shared<Engine>();
    ComputeRequest req = progressive_request("yarn:s=2,orig=512");
    const auto full = compute_results(req, *engine, {});
    engine->last_pass().seconds = 4.0;  // a slow device: previews of kMinPreviewTokens
    req.warm_preview_budget_s = 0.15;
    const size_t before = engine->stage_cache().size();
    const auto again = compute_results(req, *engine, {});  // stage 1 from the cache, then the warm-up
    CHECK(again->eval_length == 1024);
    CHECK(again->preview_of == 0);
    CHECK(engine->stage_cache().size() == before + 2);      // A and B at the preview length
    CHECK(engine->last_pass().tokens == 1024);              // the measured cost is kept for sizing
    CHECK(engine->last_pass().seconds == 4.0);
    req.warm_preview_budget_s = 0;
    req.preview_budget_s = 0.15;
    req.session.configs[1].method = "yarn:s=3,orig=512";    // the hand drags B
    const auto p = compute_results(req, *engine, {});
    CHECK(p->preview_of == 1024);
    CHECK(p->eval_length == kMinPreviewTokens);
    CHECK(engine->stage_cache().size() == before + 3);      // one pass: B; A came from the warm-up
    for (int i = 1; i < kMinPreviewTokens; ++i)
        CHECK(p->configs[0].position_loss[size_t(i)] == doctest::Approx(full->configs[0].position_loss[size_t(i)]).epsilon(1e-4));
}

TEST_CASE("progressive: after previews and cancelled passes the finished result equals the plain computation") {
    auto engine = std::make_shared<Engine>();
    JobRunner runner;
    ComputeRequest req = progressive_request("yarn:s=2,orig=512");
    req.want_kl = true;
    submit(runner, engine, req);
    REQUIRE(runner.wait_idle(600));
    const auto first = runner.latest();
    REQUIRE(first);
    REQUIRE(first->preview_of == 0);
    REQUIRE(runner.status().error.empty());

    // A full pass that a newer request interrupts between layers: the last finished result stays.
    std::atomic<int> checks{0};
    req.session.configs[1].method = "yarn:s=3,orig=512";
    submit(runner, engine, req, [&] { if (++checks == 3) runner.cancel(); });
    REQUIRE(runner.wait_idle(600));
    CHECK(checks == 3);                  // stopped at its third checkpoint: inside the first forward pass
    CHECK(runner.latest() == first);     // still the last finished result, on screen
    CHECK(runner.status().error.empty());

    // Previews while the "hand" moves (each lands: not interruptible), then the hand rests.
    for (const char* s : {"yarn:s=3.5,orig=512", "yarn:s=4,orig=512", "yarn:s=4.5,orig=512"}) {
        ComputeRequest p = req;
        p.session.configs[1].method = s;
        p.preview_budget_s = 0.15;
        // Between jobs: as if 1024 tokens cost 1 s, so a preview is a prefix on any machine (idle,
        // stories260K's whole window can fit the budget).
        engine->last_pass() = {1024, 1.0};
        submit(runner, engine, p);
        REQUIRE(runner.wait_idle(600));
        CHECK(runner.latest()->preview_of == 1024);
    }
    req.session.configs[1].method = "yarn:s=4.5,orig=512";
    submit(runner, engine, req);
    REQUIRE(runner.wait_idle(600));
    const auto finished = runner.latest();
    REQUIRE(finished->preview_of == 0);

    Engine fresh;  // the non-progressive computation: a new engine, one call, no cache
    const auto plain = compute_results(req, fresh, {});
    check_identical(*finished, *plain);
    CHECK(std::isfinite(finished->configs[1].kl_to_first[100]));
}

TEST_CASE("session: default lengths follow a newly opened model's training context") {
    Session s = default_session();
    ModelConfig c;
    c.train_context_length = 8192;  // SmolLM2
    follow_training_context(s, c);
    CHECK(s.lengths == std::vector<int>{2048, 4096, 8192, 16384, 32768});
    CHECK(s.eval_length == 2048);
    c.train_context_length = 32768;  // Gemma 3: 4T exceeds the session limit
    follow_training_context(s, c);
    CHECK(s.lengths == std::vector<int>{8192, 16384, 32768, 65536});
    const Session before = s;
    follow_training_context(s, ModelConfig{});  // unknown: unchanged
    CHECK(s == before);
    validate_session(s, "test");
}
