// The Positional vectors view through the session machinery (stories260K, CPU reference): the
// stage fills every configuration with every layer, its numbers equal a direct computation over
// the same windows, a second job takes them from the cache, cancelling stops it between windows,
// the shipped preset's lesson names the panel, and the four figures carry the training length.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "core/error.hpp"
#include "core/io/preset_io.hpp"
#include "core/metrics/positional_vectors.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"
#include "cpu_forward_scope.hpp"
#include "core/session/figures.hpp"

namespace {

using xl::test::CpuForwardScope;

xl::ComputeRequest posvec_request() {
    xl::ComputeRequest req;
    req.session = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/positional_vectors.json");
    req.session.eval_length = 640;  // just past the training length (512): cheap, and something is beyond
    req.session.posvec_windows = 2;
    req.session.panels = {"posvec"};
    return req;
}

}  // namespace

TEST_CASE("session posvec: the stage equals a direct computation, is cached, and draws four figures") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = posvec_request();
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r->posvec_done);
    REQUIRE(r->configs.size() == 3);
    const xl::Model& model = engine.model();
    for (size_t i = 0; i < r->configs.size(); ++i) {
        const xl::ConfigResult& c = r->configs[i];
        REQUIRE_MESSAGE(c.posvec, c.label);
        CHECK(c.posvec->layers.size() == size_t(model.config.n_layers));
        CHECK(c.posvec->fitted == 512);
        CHECK(c.posvec->windows == 2);
        // Direct: the same windows, plan and analysis outside the session.
        xl::PositionalVectorOptions o;
        o.length = 640;
        o.windows = 2;
        o.train_length = 512;
        const xl::MeanHidden m = xl::mean_hidden_states(engine.forward(), model.config, engine.stream().tokens,
                                                        model.tokenizer->bos(),
                                                        xl::make_plan(xl::parse_method_spec(c.method), model.config, 640), o);
        const xl::PositionalVectors d = xl::analyse_positional_vectors(m, o);
        for (size_t l = 0; l < d.layers.size(); ++l) {
            CHECK(c.posvec->layers[l].norm[600] == doctest::Approx(d.layers[l].norm[600]).epsilon(1e-12));
            CHECK(c.posvec->layers[l].explained[0] == doctest::Approx(d.layers[l].explained[0]).epsilon(1e-12));
            CHECK(c.posvec->layers[l].beyond_in_plane == doctest::Approx(d.layers[l].beyond_in_plane).epsilon(1e-12));
        }
    }
    // Methods differ beyond the training length (the point of the view).
    CHECK(r->configs[0].posvec->layers[2].norm[600] != doctest::Approx(r->configs[1].posvec->layers[2].norm[600]).epsilon(1e-4));

    const auto again = xl::compute_results(req, engine, {});
    CHECK(again->configs[1].posvec == r->configs[1].posvec);  // the same shared object: cached

    xl::ViewState v;
    v.posvec_layer = 3;
    v.smoothing = 1;
    const auto figs = xl::panel_figures("posvec", *r, v);
    REQUIRE(figs.size() == 4);
    CHECK(figs[0].id == "posvec_trajectory");
    CHECK(figs[1].id == "posvec_norm");
    bool marker = false;
    for (const auto& mk : figs[1].markers) marker = marker || (mk.kind == xl::MarkerKind::Vertical && mk.value == 512);
    CHECK(marker);
    CHECK(figs[1].series.size() == 3);
    CHECK(figs[1].series[0].y.size() == 639);  // position 0 (BOS) is not drawn
    CHECK(figs[1].series[0].x[0] == 1);
    CHECK(figs[1].series[0].y[4] == doctest::Approx(r->configs[0].posvec->layers[3].norm[5]));
    CHECK(figs[0].title.find("layer 3") != std::string::npos);
    // Smoothing: the drawn norm at position t is the mean of the raw norms at t-3 .. t.
    const auto smooth = xl::figure_posvec_norm(*r, 3, 4);
    const auto& raw = r->configs[0].posvec->layers[3].norm;
    CHECK(smooth.series[0].y[99] == doctest::Approx((raw[97] + raw[98] + raw[99] + raw[100]) / 4));

    req.want_posvec = false;  // the app asks only while the tab is open
    const auto off = xl::compute_results(req, engine, {});
    CHECK_FALSE(off->posvec_done);
    CHECK_FALSE(off->configs[0].posvec);
    CHECK(xl::panel_figures("posvec", *off, v).empty());
}

TEST_CASE("session posvec: cancelling stops the stage between windows") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = posvec_request();
    req.session.posvec_windows = 50;
    xl::Engine engine;
    int windows_seen = 0;
    xl::ComputeHooks hooks;
    hooks.progress = [&](double, const std::string& m) { windows_seen += m.find("positional vectors") != std::string::npos; };
    struct Stop {};  // as the job runner's JobCancelled: not an xl::Error, so no stage swallows it
    hooks.check = [&] {
        if (windows_seen >= 2) throw Stop{};
    };
    CHECK_THROWS_AS(xl::compute_results(req, engine, hooks), Stop);
    CHECK(windows_seen < 5);
}

TEST_CASE("session posvec: the shipped preset shows the panel and its lesson talks about it") {
    const xl::Session s = xl::load_preset(std::string(XL_SOURCE_DIR) + "/presets/positional_vectors.json");
    CHECK(xl::shows_panel(s, "posvec"));
    CHECK(s.lesson.find("Positional vectors") != std::string::npos);
    CHECK(s.eval_length == 2048);  // 4x the training length of stories260K
    CHECK(s.configs.size() == 3);
}
