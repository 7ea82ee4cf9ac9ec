// The CPU reference on the real ALiBi model (alilama): LayerNorm with bias, the residual taken
// after the first norm, a plain SiLU MLP, no final norm, ALiBi slopes 2^(−8(h+1)/H). Greedy
// decoding must continue the model card's prompt with the start of the model card's text.
// Note: past "play outside" the model card says "and play with her friends"; this checkpoint,
// evaluated by this reference and by an independent script reading the .pth directly, continues
// " in the park" (logit margin 0.5): only the common prefix is asserted.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/generate.hpp"
#include "test_ref_plan.hpp"

TEST_CASE("ref alilama: greedy continuation of the model card's prompt") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/alilama/";
    const xl::Model m = xl::load_model(dir + "alilama_batches_512_470K.pth", dir + "tokenizer.model");
    REQUIRE(m.config.position == xl::PositionSignal::ALiBi);
    const std::vector<int> prompt = m.tokenizer->encode(" STARTSTORY Once upon a time", false);
    xl::CpuForward fwd(m);
    const auto plans = [&](int n) { return xl::test::plain_rope_plan(m.config, n); };
    const auto tokens = xl::generate(fwd, m, prompt, 40, 0.f, 0, plans);
    std::string text;
    for (size_t i = prompt.size(); i < tokens.size(); ++i) text += m.tokenizer->decode_token(tokens[i - 1], tokens[i]);
    std::printf("alilama greedy: %s\n", text.c_str());
    CHECK(text.rfind(", there was a little girl named Lily. She loved to play outside", 0) == 0);
}
