// The KV eviction view through the session machinery (stories260K, CPU reference): the stage's
// grid equals run_eviction_sweep on the same tokens (within 1e-12) and its full-context column
// the whole-sequence pass (within 1e-5), the kept-token map is the session's cell at the probe
// layer, a second job takes both from the cache, cancelling stops it between chunk steps, the
// app does not compute it unless asked, the figures are drawn, and bad values are named. On the
// Vulkan engine the stage gives the CPU reference's grid within 1e-5 and the same kept sets.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/io/preset_io.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/session/compute.hpp"
#include "core/session/figures.hpp"
#include "cpu_forward_scope.hpp"

namespace {

xl::ComputeRequest evict_request() {
    xl::ComputeRequest req;
    req.session = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/kv_eviction.json");
    req.session.evict_tokens = 160;  // cheap; past the budgets so that every policy evicts
    req.session.evict_budgets = {24, 48};
    req.session.evict_map_budget = 24;
    req.session.evict_chunk = 16;
    req.want_evict = true;
    req.layer = 2;
    req.head = 1;
    return req;
}

}  // namespace

TEST_CASE("session evict: the stage equals a direct sweep, the map is the session's cell, and both are cached") {
    xl::test::CpuForwardScope cpu;
    const xl::ComputeRequest req = evict_request();
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r->evict_done);
    REQUIRE(r->evict);
    REQUIRE(r->evict_map);
    CHECK(r->warnings.empty());
    const xl::Model& model = engine.model();
    const std::vector<int> tokens(engine.stream().tokens.begin(), engine.stream().tokens.begin() + 160);

    xl::EvictionSweepSpec spec;
    for (const auto& c : req.session.configs) spec.methods.push_back(xl::parse_method_spec(c.method));
    spec.policies = {xl::EvictionPolicy::Window, xl::EvictionPolicy::Streaming, xl::EvictionPolicy::H2O, xl::EvictionPolicy::SnapKV};
    spec.bookkeepings = {xl::PositionBookkeeping::Reassigned, xl::PositionBookkeeping::Original};
    spec.budgets = {24, 48};
    spec.base.chunk = 16;
    spec.base.policy.sinks = 4;
    const xl::EvictionSweep direct = xl::run_eviction_sweep(model, tokens, spec);
    REQUIRE(r->evict->cells.size() == 2 * 4 * 2 * 2);
    REQUIRE(direct.cells.size() == r->evict->cells.size());
    for (size_t i = 0; i < direct.cells.size(); ++i) {
        CHECK(r->evict->cells[i].method == direct.cells[i].method);
        CHECK(r->evict->cells[i].perplexity == doctest::Approx(direct.cells[i].perplexity).epsilon(1e-12));
    }
    xl::CpuForward full(model);
    for (size_t m = 0; m < spec.methods.size(); ++m) {
        xl::ForwardRequest fr;
        fr.tokens = tokens;
        fr.plan = xl::make_plan(spec.methods[m], model.config, 160);
        const auto nll = full.run(fr).nll;
        CHECK(r->evict->full_perplexity[m] ==
              doctest::Approx(std::exp(std::accumulate(nll.begin(), nll.end(), 0.0) / double(nll.size()))).epsilon(1e-5));
    }
    // The map: streaming, original, budget 24 at layer 2, head 1 of configuration A's method.
    CHECK(r->evict_map_label == "streaming, original, B=24");
    CHECK(r->evict_map_layer == 2);
    CHECK(r->evict_map_head == 1);
    REQUIRE(r->evict_map->kept_before_chunk.size() == 10);
    CHECK(r->evict_map->kept_before_chunk[5].size() == 24);
    CHECK(r->evict_map->kept_before_chunk[5][0] == 0);   // the sinks stay
    CHECK(r->evict_map->kept_before_chunk[5][3] == 3);
    CHECK(r->evict_map->kept_before_chunk[5][4] == 80 - 20);  // then the 20 most recent before token 80

    const auto again = xl::compute_results(req, engine, {});
    CHECK(again->evict == r->evict);  // the same shared objects: cached
    CHECK(again->evict_map == r->evict_map);

    const auto figs = xl::panel_figures("evict", *r, xl::ViewState{});
    REQUIRE(figs.size() == 3);
    CHECK(figs[0].id == "evict_ppl_vs_budget");
    CHECK(figs[1].id == "evict_ppl_vs_budget_1");
    CHECK(figs[2].id == "evict_kept_map");
    CHECK(figs[0].series.size() == 8);
    CHECK(figs[0].series[2].name == "streaming, reassigned");
    CHECK(figs[0].series[2].y[0] == doctest::Approx(direct.cells[4].perplexity));  // cells: policy, positions, budget
    CHECK(figs[0].markers.at(0).value == doctest::Approx(r->evict->full_perplexity[0]));
    REQUIRE(figs[2].heatmap);
    CHECK(figs[2].heatmap->rows == 160);
    CHECK(std::isnan(figs[2].heatmap->values[size_t(100) * 160 + 30]));  // evicted: blank
    CHECK(std::isfinite(figs[2].heatmap->values[size_t(100) * 160 + 1]));  // a sink: drawn

    xl::ComputeRequest off = req;
    off.want_evict = false;  // the app asks only while the tab is open
    const auto none = xl::compute_results(off, engine, {});
    CHECK_FALSE(none->evict);
    CHECK(xl::panel_figures("evict", *none, xl::ViewState{}).empty());
}

TEST_CASE("session evict: on the Vulkan engine the stage gives the CPU reference's grid, and evict_cpu picks the CPU") {
    xl::ComputeRequest req = evict_request();
    req.session.evict_budgets = {24};
    xl::Engine engine;  // the Vulkan engine (no CpuForwardScope)
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r->evict);
    REQUIRE(r->evict_map);
    CHECK(r->warnings.empty());
    CHECK(r->evict->device == engine.forward().device_name());
    CHECK(r->evict_map->map_grid == 160);  // the figure's grid, at most N
    const std::vector<int> tokens(engine.stream().tokens.begin(), engine.stream().tokens.begin() + 160);
    req.session.evict_cpu = true;
    const auto c = xl::compute_results(req, engine, {});
    REQUIRE(c->evict);
    CHECK(c->evict->device == "CPU reference");
    REQUIRE(c->evict->cells.size() == r->evict->cells.size());
    for (size_t i = 0; i < c->evict->cells.size(); ++i)  // within the tolerance of tests/test_gpu_eviction.cpp
        CHECK(r->evict->cells[i].perplexity == doctest::Approx(c->evict->cells[i].perplexity).epsilon(1e-5));
    CHECK(r->evict_map->kept_before_chunk == c->evict_map->kept_before_chunk);
}

TEST_CASE("session evict: cancelling stops the grid between chunk steps") {
    xl::test::CpuForwardScope cpu;
    xl::ComputeRequest req = evict_request();
    req.session.evict_tokens = 640;
    xl::Engine engine;
    int steps = 0;
    xl::ComputeHooks hooks;
    hooks.progress = [&](double, const std::string& m) { steps += m.find("KV eviction") != std::string::npos; };
    struct Stop {};
    hooks.check = [&] {
        if (steps >= 3) throw Stop{};
    };
    CHECK_THROWS_AS(xl::compute_results(req, engine, hooks), Stop);
    CHECK(steps < 6);
}

TEST_CASE("session evict: bad values are named and the shipped preset teaches the view") {
    xl::Session s = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/kv_eviction.json");
    CHECK(xl::shows_panel(s, "evict"));
    CHECK(s.lesson.find("KV eviction tab") != std::string::npos);
    CHECK(s.lesson.find("Reassigned") != std::string::npos);
    xl::Session bad = s;
    bad.evict_tokens = 70000;
    CHECK_THROWS_WITH_AS(xl::validate_session(bad, "p"), doctest::Contains("'evict_tokens' must be in 2..65536"), xl::Error);
    bad.evict_tokens = 5000;
    CHECK_NOTHROW(xl::validate_session(bad, "p"));  // the GPU path: device memory decides
    bad.evict_cpu = true;
    CHECK_THROWS_WITH_AS(xl::validate_session(bad, "p"), doctest::Contains("('evict_cpu') is capped at 1024 tokens"), xl::Error);
    bad = s;
    bad.evict_map_policy = "lru";
    CHECK_THROWS_WITH_AS(xl::validate_session(bad, "p"), doctest::Contains("unknown eviction policy 'lru'"), xl::Error);
    bad = s;
    bad.evict_sinks = 64;
    CHECK_THROWS_WITH_AS(xl::validate_session(bad, "p"), doctest::Contains("'evict_sinks'"), xl::Error);
    CHECK_THROWS_WITH_AS(xl::session_from_json(R"({"extrapolab_preset": 1, "evict_budgets": []})", "p"),
                         doctest::Contains("'evict_budgets'"), xl::Error);
}
