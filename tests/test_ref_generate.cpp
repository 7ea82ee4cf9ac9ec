// generate() over a scripted Forward: greedy choice, stopping at EOS/BOS, the token budget,
// seeded sampling, and pick_token's inverse-CDF draw.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "core/model/tokenizer.hpp"
#include "core/ref/generate.hpp"

namespace {

// Favours token (3·n) mod 7 after n tokens; counts runs and records the plan lengths it saw.
class ScriptedForward : public xl::Forward {
public:
    int64_t limit = 1000;
    std::vector<int> plan_lengths;
    xl::ForwardResult run(const xl::ForwardRequest& r) override {
        plan_lengths.push_back(r.plan.seq_len);
        xl::ForwardResult out;
        out.last_logits.assign(7, 0.f);
        out.last_logits[size_t(3 * r.tokens.size() % 7)] = 2.f;
        return out;
    }
    std::string device_name() const override { return "scripted"; }
    int64_t max_tokens() const override { return limit; }
};

class StopTokenizer : public xl::Tokenizer {
public:
    int eos_id = -1, bos_id = -1;
    std::vector<int> encode(std::string_view, bool) const override { return {}; }
    std::string decode_token(int, int) const override { return ""; }
    int vocab_size() const override { return 7; }
    int bos() const override { return bos_id; }
    int eos() const override { return eos_id; }
    std::string kind() const override { return "test"; }
};

xl::PositionPlan plan_of(int n) {
    xl::PositionPlan p;
    p.seq_len = n;
    return p;
}

}  // namespace

TEST_CASE("ref pick_token: argmax and inverse-CDF sampling") {
    CHECK(xl::pick_token({0.f, 2.f, 2.f, 1.f}, 0.f, 0.9) == 1);  // ties: lowest index
    const std::vector<float> l = {0.f, float(std::log(3.0))};    // T = 1: p = (1/4, 3/4)
    CHECK(xl::pick_token(l, 1.f, 0.2) == 0);
    CHECK(xl::pick_token(l, 1.f, 0.3) == 1);
    CHECK(xl::pick_token(l, 0.5f, 0.09) == 0);  // T = 1/2: p ∝ (1, 9)
    CHECK(xl::pick_token(l, 0.5f, 0.11) == 1);
}

TEST_CASE("ref generate: greedy steps, EOS/BOS stops, token budget, seeded sampling") {
    xl::Model model;
    ScriptedForward fwd;
    const auto greedy = xl::generate(fwd, model, {5}, 4, 0.f, 0, plan_of);
    CHECK(greedy == std::vector<int>{5, 3, 6, 2, 5});  // (3·n) mod 7 for n = 1..4
    CHECK(fwd.plan_lengths == std::vector<int>{1, 2, 3, 4});

    auto tok = std::make_shared<StopTokenizer>();
    tok->eos_id = 2;
    model.tokenizer = tok;
    CHECK(xl::generate(fwd, model, {5}, 10, 0.f, 0, plan_of) == std::vector<int>{5, 3, 6});
    tok->eos_id = -1;
    tok->bos_id = 6;
    CHECK(xl::generate(fwd, model, {5}, 10, 0.f, 0, plan_of) == std::vector<int>{5, 3});

    model.tokenizer.reset();
    fwd.limit = 3;
    CHECK(xl::generate(fwd, model, {5}, 10, 0.f, 0, plan_of).size() == 3);

    fwd.limit = 1000;
    const auto a = xl::generate(fwd, model, {0}, 30, 1.5f, 42, plan_of);
    const auto b = xl::generate(fwd, model, {0}, 30, 1.5f, 42, plan_of);
    const auto g = xl::generate(fwd, model, {0}, 30, 0.f, 42, plan_of);
    CHECK(a == b);
    CHECK(a.size() == 31);
    CHECK(a != g);  // at T = 1.5 the favoured token has p ≈ 0.3: 30 draws all matching is ~1e-16
}
