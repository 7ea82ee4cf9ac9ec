// The app's KL view: with the Vulkan engine the quick stage keeps each configuration's final
// hidden states (n × dim, never n × vocab logits) and computes KL(P_A ‖ P_X) per position from
// classifier chunks, equal to the CPU reference's distributions
// (1e-3 nats); position 0 has none.
#include <doctest/doctest.h>

#include <cmath>

#include "core/metrics/compare.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/model/load_model.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"
#include "core/session/engine.hpp"

TEST_CASE("session: KL to configuration A per position matches the CPU reference") {
    xl::ComputeRequest req;
    req.session = xl::default_session();
    req.session.base_dir = std::string(XL_SOURCE_DIR) + "/presets";
    req.session.configs = {{"none"}, {"yarn:s=4,orig=512"}};
    req.session.eval_length = 256;
    req.session.lengths = {256};
    req.session.panels = {"perplexity"};
    xl::Engine engine;
    const auto r = xl::compute_results(req, engine, {});
    REQUIRE(r->configs.size() == 2);
    const auto& kl = r->configs[1].kl_to_first;
    REQUIRE(kl.size() == 256);
    CHECK(std::isnan(kl[0]));
    const xl::Model& model = engine.model();
    const std::vector<int> tokens(engine.stream().tokens.begin(), engine.stream().tokens.begin() + 256);
    const auto a = xl::reference_all_logits(model, tokens, xl::make_plan(xl::parse_method_spec("none"), model.config, 256), 0);
    const auto b = xl::reference_all_logits(model, tokens,
                                            xl::make_plan(xl::parse_method_spec("yarn:s=4,orig=512"), model.config, 256), 0);
    const int vocab = model.config.vocab_size;
    double worst = 0, mean = 0;
    for (int p = 1; p < 256; ++p) {
        const double ref = xl::kl_divergence_logits(a.data() + size_t(p - 1) * vocab, b.data() + size_t(p - 1) * vocab, vocab);
        worst = std::max(worst, std::fabs(ref - kl[size_t(p)]));
        mean += kl[size_t(p)] / 255;
    }
    CHECK(worst < 1e-3);
    CHECK(mean > 0.01);   // YaRN at s = 4 does change the distributions inside the training length
    MESSAGE("KL(none || yarn) mean " << mean << ", max |GPU - reference| " << worst);
}
