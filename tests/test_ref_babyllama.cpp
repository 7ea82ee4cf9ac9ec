// The CPU reference on babyllama (a second real Llama model: 8 query heads over 4 kv heads,
// head_dim 16, trained at 256 tokens, character-level vocabulary). Greedy decoding after the
// first sentence of the model card's text must continue it with the card's next words. (A short
// continuation keeps the full-recompute generation fast.)
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/generate.hpp"
#include "test_ref_plan.hpp"

TEST_CASE("ref babyllama: greedy continuation of the model card's text") {
    const std::string dir = std::string(XL_SHARED_DIR) + "/models/babyllama/";
    const xl::Model m = xl::load_model(dir + "babyllama-tok105.bin", dir + "tok105.bin");
    REQUIRE(m.config.n_kv_heads * 2 == m.config.n_heads);
    const std::string prompt_text = "Once upon a time, there was a little girl named Lily. She loved to play outside in the";
    const std::vector<int> prompt = m.tokenizer->encode(prompt_text, true);
    xl::CpuForward fwd(m);
    const auto plans = [&](int n) { return xl::test::plain_rope_plan(m.config, n); };
    const auto tokens = xl::generate(fwd, m, prompt, 10, 0.f, 0, plans);
    std::string text;
    for (size_t i = prompt.size(); i < tokens.size(); ++i) text += m.tokenizer->decode_token(tokens[i - 1], tokens[i]);
    std::printf("babyllama greedy after \"...play outside in the\": \"%s\"\n", text.c_str());
    CHECK(text.rfind(" sunshine", 0) == 0);
}
