// The Needle view through the session machinery (stories260K, CPU reference): the stage fills
// every configuration with the grid it was asked for, its numbers equal a direct computation, a
// second job takes them from the cache, cancelling stops it between cells, the figures show the
// numbers of the grid (accuracy / log-probability per depth × length, retrieval and needle mass
// per layer × head, the change against A), and the shipped preset's lesson names the panel.
#include <doctest/doctest.h>

#include <cmath>

#include "core/io/preset_io.hpp"
#include "core/metrics/needle.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"
#include "core/session/figures.hpp"
#include "cpu_forward_scope.hpp"

namespace {

using xl::test::CpuForwardScope;

xl::ComputeRequest needle_request() {
    xl::ComputeRequest req;
    req.session = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/needle_retrieval.json");
    req.session.eval_length = 64;
    req.session.needle_lengths = {320, 640};
    req.session.needle_depths = {0.25, 0.75};
    req.session.panels = {"needle"};
    return req;
}

}  // namespace

TEST_CASE("session needle: the stage equals a direct computation, is cached, and draws its figures") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = needle_request();
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r->needle_done);
    REQUIRE(r->configs.size() >= 2);
    const xl::Model& model = engine.model();
    for (const xl::ConfigResult& c : r->configs) {
        REQUIRE_MESSAGE(c.needle, c.label);
        const xl::NeedleGrid& g = *c.needle;
        REQUIRE(g.cells.size() == 2 * 2 * 2);  // tasks × lengths × depths
        CHECK(g.layers == model.config.n_layers);
        // Direct: the cell (sentence, 640, 0.75) outside the session.
        const xl::NeedlePrompt p = xl::build_needle_prompt(*model.tokenizer, xl::NeedleTask::Sentence, 640, 0.75,
                                                           68194 /* unused by the sentence needle */);
        const xl::NeedleCell d = xl::score_needle(engine.forward(), model.config, p,
                                                  xl::make_plan(xl::parse_method_spec(c.method), model.config,
                                                                int(p.tokens.size())));
        const xl::NeedleCell& s = g.cell(1, 1, 1);
        CHECK(s.task == xl::NeedleTask::Sentence);
        CHECK(s.target_tokens == 640);
        CHECK(s.logprob == doctest::Approx(d.logprob).epsilon(1e-12));
        CHECK(s.copies == d.copies);
        CHECK(s.needle_mass[7] == doctest::Approx(d.needle_mass[7]).epsilon(1e-12));
    }
    const auto again = xl::compute_results(req, engine, {});
    CHECK(again->configs[1].needle == r->configs[1].needle);  // the same shared object: cached

    xl::ViewState v;
    v.needle_cell = 3;
    const auto figs = xl::panel_figures("needle", *r, v);
    const size_t per_config = 2 + 2 * 2;  // retrieval, mass, accuracy and logprob of 2 tasks
    CHECK(figs.size() == r->configs.size() * per_config + (r->configs.size() - 1) + 2);
    const xl::FigureSpec& ret = figs[0];
    CHECK(ret.id == "needle_retrieval_A");
    REQUIRE(ret.heatmap);
    CHECK(ret.heatmap->rows == model.config.n_layers);
    CHECK(ret.heatmap->cols == model.config.n_heads);
    const xl::NeedleCell& c3 = r->configs[0].needle->cells[3];
    CHECK(ret.heatmap->values[2 * 8 + 5] == doctest::Approx(c3.retrieval(2, 5)));
    CHECK(ret.title.find("passkey, 640 tokens, depth 0.75") != std::string::npos);
    const auto lp = xl::figure_needle_logprob(*r, 0, 1);
    REQUIRE(lp.heatmap);
    CHECK(lp.heatmap->rows == 2);  // depths
    CHECK(lp.heatmap->cols == 2);  // lengths
    CHECK(lp.heatmap->values[1 * 2 + 0] == doctest::Approx(r->configs[0].needle->cell(1, 0, 1).logprob));
    CHECK(lp.x.scale == xl::AxisScale::Log);  // 320, 640: equal ratios
    const auto acc = xl::figure_needle_accuracy(*r, 1, 0);
    CHECK(acc.heatmap->values[0] == (r->configs[1].needle->cell(0, 0, 0).correct ? 1.f : 0.f));
    const auto diff = xl::figure_needle_retrieval_diff(*r, 1, -1);
    const auto ra = r->configs[0].needle->retrieval(), rb = r->configs[1].needle->retrieval();
    CHECK(diff.heatmap->values[13] == doctest::Approx(rb[13] - ra[13]));
    const auto reach = xl::figure_needle_reach(*r);
    REQUIRE(reach.series.size() == 2 * r->configs.size());
    CHECK(reach.series[0].x.size() == 4);  // the passkey cells of A, by distance
    CHECK(reach.series[0].x[0] <= reach.series[0].x[3]);

    req.want_needle = false;  // the app asks only while the tab is open
    const auto off = xl::compute_results(req, engine, {});
    CHECK_FALSE(off->needle_done);
    CHECK(xl::panel_figures("needle", *off, v).empty());
}

TEST_CASE("session needle: cancelling stops the stage between cells") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = needle_request();
    req.session.needle_depths = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1};
    xl::Engine engine;
    int cells = 0;
    xl::ComputeHooks hooks;
    hooks.progress = [&](double, const std::string& m) { cells += m.find("needle A: cell") != std::string::npos; };
    struct Stop {};  // as the job runner's JobCancelled: not an xl::Error, so no stage swallows it
    hooks.check = [&] {
        if (cells >= 2) throw Stop{};
    };
    CHECK_THROWS_AS(xl::compute_results(req, engine, hooks), Stop);
    CHECK(cells == 2);
}

TEST_CASE("session needle: the shipped preset shows the panel and its lesson talks about it") {
    const xl::Session s = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/needle_retrieval.json");
    CHECK(xl::shows_panel(s, "needle"));
    CHECK(s.lesson.find("Needle") != std::string::npos);
    CHECK(s.lesson.find("retrieval") != std::string::npos);
    CHECK(s.lesson.find("TO BE WRITTEN") == std::string::npos);
}
