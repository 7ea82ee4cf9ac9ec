// The perplexity sweep replays stage 1's pass for its window at the eval length, and the entropy
// pass at the entropy length (core/session/replay_forward.hpp): the sweep's numbers equal a direct
// evaluation exactly, and a ReplayForward answers only the one request it holds (same tokens,
// losses only) and hands every other Forward virtual to the backend.
#include <doctest/doctest.h>

#include "core/metrics/perplexity.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"
#include "core/session/replay_forward.hpp"

namespace {

// Every sweep cell of r equals evaluate_perplexity run directly on the engine, bit for bit.
void check_sweep_equals_direct(const xl::ComputeRequest& req, xl::Engine& engine, const xl::Results& r) {
    const xl::Model& model = engine.model();
    const int bos = model.tokenizer ? model.tokenizer->bos() : -1;
    for (size_t ci = 0; ci < r.configs.size(); ++ci) {
        const xl::MethodSpec spec = xl::parse_method_spec(req.session.configs[ci].method);
        for (size_t k = 0; k < req.session.lengths.size(); ++k) {
            const int L = req.session.lengths[k];
            const xl::PerplexityResult direct = xl::evaluate_perplexity(
                engine.forward(), engine.stream().tokens, xl::parse_protocol(req.session.protocol), L,
                req.session.max_windows, bos, [&](int n) { return xl::make_plan(spec, model.config, n); });
            INFO(spec.canonical() << " at " << L);
            CHECK(r.configs[ci].ppl[k] == direct.stats.ppl());
            CHECK(r.configs[ci].ppl_stderr[k] == direct.stats.ppl_stderr());
        }
    }
}

}  // namespace

TEST_CASE("session replay: the sweep at the eval length equals a direct evaluation exactly, on the default engine") {
    xl::ComputeRequest req;
    req.session = xl::default_session();
    req.session.base_dir = std::string(XL_SOURCE_DIR) + "/presets";
    req.session.configs = {{"none"}, {"yarn:s=4,orig=128"}};
    req.session.eval_length = 256;
    req.session.lengths = {128, 256};
    req.session.max_windows = 2;
    req.session.panels = {"perplexity"};
    req.want_entropy = false;
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r);
    REQUIRE(r->sweep_done);
    CHECK(r->sweep_replayed == 2);  // each configuration's window 0 at 256
    check_sweep_equals_direct(req, engine, *r);
    const xl::Model& model = engine.model();

    // The replay holds the first 256 tokens: it answers them, and sends anything else on.
    const std::vector<int> window(engine.stream().tokens.begin(), engine.stream().tokens.begin() + 256);
    const std::vector<float> held(255, 1.5f);
    xl::ReplayForward replay(engine.forward(), window, held);
    xl::ForwardRequest same{window, xl::make_plan(xl::parse_method_spec("none"), model.config, 256)};
    CHECK(replay.run(same).nll == held);
    xl::ForwardRequest probe = same;
    probe.want_attention = true;
    CHECK(replay.run(probe).nll != held);
    xl::ForwardRequest other = same;
    other.tokens[5] = other.tokens[6] == 7 ? 8 : 7;
    CHECK(replay.run(other).nll != held);
    CHECK(replay.replayed() == 1);
    // Every other Forward virtual goes to the backend: its eviction engine too (Vulkan's, when built in).
    CHECK(replay.eviction() == engine.forward().eviction());
    CHECK(replay.device_name() == engine.forward().device_name());
    CHECK(replay.max_tokens() == engine.forward().max_tokens());
}

TEST_CASE("session replay: the sweep at the entropy length replays the entropy pass and still equals a direct evaluation") {
    xl::ComputeRequest req;
    req.session = xl::default_session();
    req.session.base_dir = std::string(XL_SOURCE_DIR) + "/presets";
    req.session.configs = {{"none"}, {"selfextend:G=4,W=32"}, {"sinks:start=4,recent=60"}};
    req.session.eval_length = 256;
    req.session.lengths = {128, 256};
    req.session.max_windows = 2;
    req.session.panels = {"perplexity", "entropy"};
    req.entropy_max_tokens = 128;  // the entropy pass covers the sweep's first window at 128
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r);
    REQUIRE(r->sweep_done);
    REQUIRE(r->entropy_done);
    for (const auto& c : r->configs) CHECK(c.entropy.size() == size_t(engine.model().config.n_layers));
    CHECK(r->sweep_replayed == 6);  // window 0 at 128 (entropy pass) and at 256 (stage 1), 3 configurations
    check_sweep_equals_direct(req, engine, *r);
}
