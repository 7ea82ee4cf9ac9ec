// Computing Results on the bundled model (stories260K) through the engine chosen by
// make_forward, and the figures built from them: every panel's figures export to well-formed
// SVG, and the perplexity numbers follow the method (PI at s=4 changes short-context loss).
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdlib>
#include <unistd.h>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/svg_writer.hpp"
#include "core/io/xml_check.hpp"
#include "core/session/compute.hpp"
#include "cpu_forward_scope.hpp"
#include "core/session/figures.hpp"
#include "core/session/headless_figures.hpp"

namespace {

using xl::test::CpuForwardScope;

xl::ComputeRequest small_request() {
    xl::ComputeRequest req;
    req.session = xl::default_session();
    req.session.base_dir = std::string(XL_SOURCE_DIR) + "/presets";
    req.session.configs = {{"none"}, {"linear:s=4"}};
    req.session.eval_length = 256;
    req.session.lengths = {128, 256};
    req.session.attention_grid = 32;
    req.entropy_max_tokens = 64;
    req.layer = 1;
    req.head = 2;
    return req;
}

}  // namespace

TEST_CASE("session: compute results on stories260K publish stages and fill every panel") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = small_request();
    xl::Engine engine;
    int published = 0;
    xl::ComputeHooks hooks;
    hooks.publish = [&](std::shared_ptr<const xl::Results>) { ++published; };
    const auto r = xl::compute_results(req, engine, hooks);
    REQUIRE(r);
    CHECK(published >= 3);             // forward stage, entropy stage, each sweep length
    CHECK(r->train_length == 512);
    REQUIRE(r->configs.size() == 2);
    for (const auto& c : r->configs) {
        CHECK(c.error.empty());
        CHECK(c.position_loss.size() == 256);
        CHECK(std::isfinite(c.position_loss[10]));
        CHECK(c.attention.rows == 32);
        CHECK(c.attention.layer == 1);
        CHECK(c.entropy.size() == 5);
        CHECK(c.qk_by_distance.size() == 256);
        CHECK(std::isfinite(c.ppl[0]));
        CHECK(c.ppl[0] > 1);
    }
    CHECK(r->sweep_done);
    // Inside the training length, PI (s=4) compresses positions and costs perplexity.
    CHECK(r->configs[1].ppl[1] > r->configs[0].ppl[1]);
    xl::ViewState view;
    // The headless figure path writes SVG + PNG + CSV per figure and the YaRN-layout table.
    const auto dir = std::filesystem::temp_directory_path() / ("xl_figs_" + std::to_string(::getpid()));
    req.session.panels = {"perplexity", "attention"};
    const auto files = xl::write_results_figures(req.session, *r, view, dir.string(), 0.5);
    CHECK(files.size() == 3 * 5 + 1);  // ppl_vs_length, position_loss(_diff), attention_A, attention_B + yarn csv
    CHECK(std::filesystem::exists(dir / "position_loss_diff.csv"));
    CHECK(std::filesystem::exists(dir / "ppl_vs_length.svg"));
    CHECK(std::filesystem::exists(dir / "attention_B.png"));
    CHECK(xl::read_text_file((dir / "ppl_vs_length_yarn.csv").string()).rfind(",128,256\nnone,", 0) == 0);
    std::filesystem::remove_all(dir);
    for (const std::string& panel : xl::all_panel_ids())
        for (const xl::FigureSpec& f : xl::panel_figures(panel, *r, view)) {
            std::string why;
            CHECK_MESSAGE(xl::xml_well_formed(xl::svg_string(f), &why), f.id << ": " << why);
            CHECK(f.meta.count("protocol") == 1);
        }
}

TEST_CASE("session: a broken model file is an error naming it, and the engine keeps its model") {
    CpuForwardScope cpu;
    xl::ComputeRequest req = small_request();
    req.session.panels = {"perplexity"};
    req.session.lengths = {64};
    xl::Engine engine;
    xl::compute_results(req, engine, {});
    const auto dir = std::filesystem::temp_directory_path() / ("xl_broken_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string broken = (dir / "broken.bin").string();
    xl::write_file_atomic(broken, "not a model at all");
    req.session.model = broken;
    req.session.tokenizer = std::string(XL_SOURCE_DIR) + "/assets/tok512.bin";
    try {
        xl::compute_results(req, engine, {});
        FAIL("a broken model computed");
    } catch (const xl::Error& e) {
        CHECK(std::string(e.what()).find("broken.bin") != std::string::npos);
    }
    CHECK(engine.loaded());
    CHECK(engine.model().config.dim == 64);
    std::filesystem::remove_all(dir);
}
