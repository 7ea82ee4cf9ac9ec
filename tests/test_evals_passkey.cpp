// Passkey retrieval mechanics on stories260K (a 260K-parameter model scores ~0, so these tests
// check the prompt lengths, depth placement, answer parsing and the grid, not accuracy).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "core/error.hpp"
#include "core/metrics/passkey.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "model_test_files.hpp"

TEST_CASE("evals passkey: answer parsing") {
    CHECK(xl::first_digits(" 68194. Remember it") == "68194");
    CHECK(xl::first_digits("no digits") == "");
    CHECK(xl::passkey_correct(" 68194.", 68194));
    CHECK(xl::passkey_correct("68194", 68194));
    CHECK_FALSE(xl::passkey_correct(" 681945", 68194));
    CHECK_FALSE(xl::passkey_correct(" 6819", 68194));
    CHECK_FALSE(xl::passkey_correct(" the key", 68194));
    CHECK_FALSE(xl::passkey_correct(" 12345 68194", 68194));
}

TEST_CASE("evals passkey: prompts hit the target length and place the key at the depth") {
    const xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    const xl::Tokenizer& tok = *m.tokenizer;
    const int sentence_tokens = int(tok.encode(" There and back again.", false).size()) + 2;
    for (int target : {240, 400, 1000}) {
        double previous = -1;
        for (double depth : {0.0, 0.25, 0.5, 0.75, 1.0}) {
            CAPTURE(target);
            CAPTURE(depth);
            const auto p = xl::build_passkey_prompt(tok, target, depth, 40917);
            CHECK(int(p.tokens.size()) <= target);
            CHECK(int(p.tokens.size()) > target - sentence_tokens);
            CHECK(p.tokens == tok.encode(p.text, true));
            CHECK(p.text.find("The pass key is 40917. Remember it. 40917 is the pass key.") != std::string::npos);
            const std::string question = "What is the pass key? The pass key is";
            CHECK(p.text.rfind(question) == p.text.size() - question.size());
            CHECK(p.text.find("The grass is green.") != std::string::npos);
            CHECK(p.sentences_before == int(std::lround(depth * p.filler_sentences)));
            CHECK(p.actual_depth() > previous);  // strictly deeper as depth grows
            previous = p.actual_depth();
            // The key line starts where the text before it ends (token count of that text).
            const size_t key_char = p.text.find("The pass key is 40917");
            CHECK(p.key_token_position == int(tok.encode(p.text.substr(0, key_char), true).size()));
            if (target == 1000 && depth > 0 && depth < 1)  // filler dominates: depth in tokens ≈ requested
                CHECK(p.actual_depth() == doctest::Approx(depth).epsilon(0.1));
        }
    }
    CHECK_THROWS_AS(xl::build_passkey_prompt(tok, 20, 0.5, 40917), xl::Error);
    CHECK_THROWS_AS(xl::build_passkey_prompt(tok, 400, 1.5, 40917), xl::Error);
    CHECK_THROWS_AS(xl::build_passkey_prompt(tok, 400, 0.5, 1234), xl::Error);
}

TEST_CASE("evals passkey: grid over lengths x depths on the CPU reference") {
    const xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    xl::CpuForward cpu(m);
    const xl::MethodSpec spec = xl::parse_method_spec("none");
    const auto plans = [&](int n) { return xl::make_plan(spec, m.config, n); };
    xl::PasskeyOptions o;
    o.trials = 1;
    o.max_new_tokens = 2;
    o.seed = 7;
    const auto g = xl::run_passkey_grid(cpu, *m.tokenizer, {240, 264}, {0.0, 1.0}, o, plans);
    REQUIRE(g.cells.size() == 4);
    CHECK(g.cells[1].target_tokens == 240);
    CHECK(g.cells[1].depth == 1.0);
    CHECK(g.cells[2].target_tokens == 264);
    for (const auto& c : g.cells) {
        REQUIRE(c.trials.size() == 1);
        CHECK(c.trials[0].passkey >= 10000);
        CHECK(c.trials[0].passkey <= 99999);
        CHECK(c.trials[0].passkey == g.cells[0].trials[0].passkey);  // same keys in every cell
        for (const auto& t : c.trials) {
            CHECK(t.prompt_tokens <= c.target_tokens);
            CHECK(t.correct == xl::passkey_correct(t.answer, t.passkey));
        }
        CHECK(c.accuracy() >= 0.0);
        CHECK(c.accuracy() <= 1.0);
    }
    // Greedy answers are deterministic.
    const auto p = xl::build_passkey_prompt(*m.tokenizer, 240, 0.0, g.cells[0].trials[0].passkey);
    CHECK(xl::passkey_answer(cpu, *m.tokenizer, p.tokens, 2, plans) == g.cells[0].trials[0].answer);
    const std::string csv = xl::passkey_grid_csv(g);
    CHECK(csv.find("target_tokens,depth,trials,correct,accuracy") != std::string::npos);
    CHECK(csv.find("\n264,1,1,") != std::string::npos);
}
