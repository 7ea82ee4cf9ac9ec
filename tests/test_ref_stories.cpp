// The CPU reference on the real stories260K model (llama2.c .bin and GGUF copies): greedy
// generation must reproduce the model card's text, and the mean NLL of the first 512 tokens of
// the TinyStories validation text must be near the reported validation loss (1.2968 nats).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/ref/generate.hpp"
#include "test_ref_plan.hpp"

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";
const char* kExpected =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
    "One day, she saw a big, red ball.";

// Text of the tokens after the prompt, decoded as a continuation of the prompt's last token.
std::string continuation(const xl::Model& m, const std::vector<int>& all, size_t prompt_len) {
    std::string text;
    for (size_t i = prompt_len; i < all.size(); ++i) text += m.tokenizer->decode_token(all[i - 1], all[i]);
    return text;
}

std::string greedy_text(const xl::Model& m, int n_new) {
    xl::CpuForward fwd(m);
    const auto plan_for = [&](int n) { return xl::test::plain_rope_plan(m.config, n); };
    const auto tokens = xl::generate(fwd, m, {m.tokenizer->bos()}, n_new, 0.f, 0, plan_for);
    return continuation(m, tokens, 1);
}

}  // namespace

TEST_CASE("ref stories260K: greedy generation from BOS, .bin and .gguf") {
    const xl::Model bin = xl::load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    const std::string text_bin = greedy_text(bin, 48);
    std::printf("stories260K.bin greedy: %s\n", text_bin.c_str());
    CHECK(text_bin.rfind(kExpected, 0) == 0);

    const xl::Model gguf = xl::load_model(kDir + "stories260K.gguf");
    const std::string text_gguf = greedy_text(gguf, 48);
    CHECK(text_gguf == text_bin);
}

TEST_CASE("ref stories260K: mean NLL of the first 512 validation tokens") {
    const xl::Model m = xl::load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    const auto stream = xl::load_token_stream(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt",
                                              *m.tokenizer);
    REQUIRE(stream.tokens.size() >= 512);
    xl::ForwardRequest req;
    req.tokens.assign(stream.tokens.begin(), stream.tokens.begin() + 512);
    req.plan = xl::test::plain_rope_plan(m.config, 512);
    xl::CpuForward fwd(m);
    const auto res = fwd.run(req);
    REQUIRE(res.nll.size() == 511);
    const double mean = std::accumulate(res.nll.begin(), res.nll.end(), 0.0) / double(res.nll.size());
    std::printf("stories260K mean NLL over 511 scored tokens: %.4f (reported validation loss 1.2968), %.2f s\n",
                mean, res.seconds);
    CHECK(std::fabs(mean - 1.2968) < 0.15);

    // The project's plan builder for "none" must give the same losses as the hand-built plan.
    req.plan = xl::make_plan(xl::parse_method_spec("none"), m.config, 512);
    const auto via_method = fwd.run(req);
    REQUIRE(via_method.nll.size() == res.nll.size());
    for (size_t i = 0; i < res.nll.size(); i += 37) CHECK(via_method.nll[i] == doctest::Approx(res.nll[i]).epsilon(1e-5));
}

TEST_CASE("ref stories260K: .bin and .gguf copies give the same losses") {
    const xl::Model bin = xl::load_model(kDir + "stories260K.bin", kDir + "tok512.bin");
    const xl::Model gguf = xl::load_model(kDir + "stories260K.gguf");
    const auto tokens = bin.tokenizer->encode("Once upon a time, there was a big dog named Max.", true);
    CHECK(gguf.tokenizer->encode("Once upon a time, there was a big dog named Max.", true) == tokens);
    xl::ForwardRequest req;
    req.tokens = tokens;
    req.plan = xl::test::plain_rope_plan(bin.config, int(tokens.size()));
    xl::CpuForward fb(bin), fg(gguf);
    const auto a = fb.run(req), b = fg.run(req);
    REQUIRE(a.nll.size() == tokens.size() - 1);
    CHECK(a.nll == b.nll);
}
