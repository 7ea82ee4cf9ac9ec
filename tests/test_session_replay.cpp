// The perplexity sweep replays stage 1's pass for its window at the eval length
// (core/session/replay_forward.hpp): the sweep's numbers equal a direct evaluation exactly, and a
// ReplayForward answers only the one request it holds (same tokens, losses only) and hands every
// other Forward virtual to the backend.
#include <doctest/doctest.h>

#include "core/metrics/perplexity.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"
#include "core/session/replay_forward.hpp"

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
    const xl::Model& model = engine.model();
    const int bos = model.tokenizer ? model.tokenizer->bos() : -1;
    for (size_t ci = 0; ci < r->configs.size(); ++ci) {
        const xl::MethodSpec spec = xl::parse_method_spec(req.session.configs[ci].method);
        for (size_t k = 0; k < req.session.lengths.size(); ++k) {
            const int L = req.session.lengths[k];
            const xl::PerplexityResult direct = xl::evaluate_perplexity(
                engine.forward(), engine.stream().tokens, xl::parse_protocol(req.session.protocol), L, 2, bos,
                [&](int n) { return xl::make_plan(spec, model.config, n); });
            INFO(spec.canonical() << " at " << L);
            CHECK(r->configs[ci].ppl[k] == direct.stats.ppl());
            CHECK(r->configs[ci].ppl_stderr[k] == direct.stats.ppl_stderr());
        }
    }

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
