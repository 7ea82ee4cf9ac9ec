// Needle retrieval (core/metrics/needle.hpp) on stories260K with the CPU reference, every number
// against an independent computation:
//   - the passkey needle's prompt is the passkey prompt (the same tokens), its span decodes to
//     the key line and the answer to the key;
//   - accuracy and log-probability against a plain NLL pass and greedy passes on each prefix
//     (log-probability within 1e-4 absolute: float logits, log-softmax in double both ways);
//   - copies and needle mass of every layer and head against the existing n×n attention probe,
//     one pass per layer and head (copies exact, mass within 1e-5), under none, YaRN,
//     Self-Extend (far branch) and a sliding window (mask);
//   - the retrieval score formula on a planted pass (exact).
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/metrics/needle.hpp"
#include "core/metrics/passkey.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "tests/error_of.hpp"

using namespace xl;

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/stories260K/";

Model stories() { return load_model(kDir + "stories260K.bin", kDir + "tok512.bin"); }

// The cell computed by hand from passes that do not use ForwardRequest::attention_rows.
void check_against_naive(Forward& cpu, const Model& model, const NeedlePrompt& p, const std::string& method) {
    const std::string task = needle_task_name(p.task);
    INFO(method << " " << task << " depth " << p.depth);
    const ModelConfig& cfg = model.config;
    const int n = int(p.tokens.size()), P = p.prompt_tokens, A = p.answer_tokens();
    const PositionPlan plan = make_plan(parse_method_spec(method), cfg, n);
    const NeedleCell c = score_needle(cpu, cfg, p, plan);
    REQUIRE(c.answer_ids.size() == size_t(A));
    // Log-probability from the NLL of the same tokens; argmax from greedy passes on each prefix.
    ForwardRequest nll_req;
    nll_req.tokens = p.tokens;
    nll_req.plan = plan;
    const ForwardResult nr = cpu.run(nll_req);
    double logprob = 0;
    bool correct = true;
    for (int t = 0; t < A; ++t) {
        const double lp = -double(nr.nll[size_t(P - 1 + t)]);
        CHECK(std::abs(c.token_logprob[size_t(t)] - lp) <= 1e-4);
        logprob += lp;
        ForwardRequest g;
        g.tokens.assign(p.tokens.begin(), p.tokens.begin() + P + t);
        g.plan = make_plan(parse_method_spec(method), cfg, P + t);
        g.want_nll = false;
        g.want_last_logits = true;
        const ForwardResult gr = cpu.run(g);
        const int best = int(std::max_element(gr.last_logits.begin(), gr.last_logits.end()) - gr.last_logits.begin());
        CHECK(c.argmax_ids[size_t(t)] == best);
        correct = correct && best == p.tokens[size_t(P + t)];
    }
    CHECK(std::abs(c.logprob - logprob) <= 1e-4 * A);
    CHECK(c.correct == correct);
    // Copies and needle mass from the full n×n probe of each layer and head.
    int copyable = 0;
    for (int t = 0; t < A; ++t)
        copyable += std::count(p.tokens.begin() + p.needle_begin, p.tokens.begin() + p.needle_end, p.tokens[size_t(P + t)]) > 0;
    CHECK(c.copyable == copyable);
    int total_copies = 0;
    for (int l = 0; l < cfg.n_layers; ++l)
        for (int h = 0; h < cfg.n_heads; ++h) {
            ForwardRequest a;
            a.tokens = p.tokens;
            a.plan = plan;
            a.want_nll = false;
            a.want_attention = true;
            a.probe = {l, h, 0};
            const ForwardResult ar = cpu.run(a);
            REQUIRE(ar.attention_rows == n);
            int copies = 0;
            double mass = 0;
            for (int t = 0; t < A; ++t) {
                const int i = P - 1 + t;
                int top = 0;
                for (int j = 1; j < n; ++j)
                    if (ar.attention[size_t(i) * n + j] > ar.attention[size_t(i) * n + top]) top = j;
                copies += top >= p.needle_begin && top < p.needle_end && p.tokens[size_t(top)] == p.tokens[size_t(P + t)];
                for (int j = p.needle_begin; j < p.needle_end; ++j) mass += ar.attention[size_t(i) * n + j] / A;
            }
            CHECK(c.copies[size_t(l) * cfg.n_heads + h] == copies);
            CHECK(std::abs(c.needle_mass[size_t(l) * cfg.n_heads + h] - mass) <= 1e-5);
            total_copies += copies;
        }
    MESSAGE(method << " " << task << " depth " << p.depth << ": logprob " << c.logprob
                   << ", correct " << c.correct << ", copyable " << c.copyable << ", copies over heads " << total_copies);
}

}  // namespace

TEST_CASE("needle: the passkey needle is the passkey prompt plus the key, the span is the key line") {
    const Model model = stories();
    const Tokenizer& tok = *model.tokenizer;
    const NeedlePrompt p = build_needle_prompt(tok, NeedleTask::Passkey, 300, 0.5, 68194);
    CHECK(int(p.tokens.size()) <= 300);
    CHECK(p.answer == " 68194");
    const int budget = int(tok.encode(p.answer, false).size()) + 1;
    const PasskeyPrompt pk = build_passkey_prompt(tok, 300 - budget, 0.5, 68194);
    REQUIRE(pk.tokens.size() == size_t(p.prompt_tokens));
    CHECK(std::equal(pk.tokens.begin(), pk.tokens.end(), p.tokens.begin()));
    CHECK(p.needle_begin == pk.key_token_position);
    const std::vector<int> span(p.tokens.begin() + p.needle_begin, p.tokens.begin() + p.needle_end);
    const std::vector<int> answer(p.tokens.begin() + p.prompt_tokens, p.tokens.end());
    CHECK(tok.decode(span).find("The pass key is 68194. Remember it. 68194 is the pass key.") != std::string::npos);
    CHECK(first_digits(tok.decode(answer)) == "68194");
    // The sentence needle: its question ends the prompt and its answer is the needle's tail.
    const NeedlePrompt s = build_needle_prompt(tok, NeedleTask::Sentence, 300, 0.25, 68194);
    CHECK(int(s.tokens.size()) <= 300);
    const std::vector<int> sspan(s.tokens.begin() + s.needle_begin, s.tokens.begin() + s.needle_end);
    CHECK(tok.decode(sspan).find("eat a sandwich and sit in Dolores Park on a sunny day.") != std::string::npos);
    CHECK(s.needle_begin < s.prompt_tokens / 2);  // depth 0.25
}

TEST_CASE("needle: bad depth, key or a length too short for the prompt give one clear error") {
    const Model model = stories();
    CHECK(test::has(test::error_of([&] { build_needle_prompt(*model.tokenizer, NeedleTask::Passkey, 300, 1.5, 68194); }), "depth must be in [0, 1]"));
    CHECK(test::has(test::error_of([&] { build_needle_prompt(*model.tokenizer, NeedleTask::Passkey, 300, 0.5, 123); }), "5 digits"));
    CHECK(test::has(test::error_of([&] { build_needle_prompt(*model.tokenizer, NeedleTask::Sentence, 20, 0.5, 68194); }), "cannot hold"));
    CHECK(test::has(test::error_of([] { parse_needle_tasks("passkey,haystack"); }), "haystack"));
    CHECK(parse_needle_tasks("sentence,passkey") == std::vector<NeedleTask>{NeedleTask::Sentence, NeedleTask::Passkey});
}

TEST_CASE("needle: accuracy, log-probability, copies and needle mass equal the naive computation on stories260K") {
    const Model model = stories();
    CpuForward cpu(model);
    for (const char* method : {"none", "yarn:s=4,orig=512", "selfextend:G=4,W=64", "window:w=96"})
        for (NeedleTask task : {NeedleTask::Passkey, NeedleTask::Sentence})
            check_against_naive(cpu, model, build_needle_prompt(*model.tokenizer, task, 300, 0.3, 68194), method);
}

TEST_CASE("needle: the retrieval score counts top-attention hits on the copied token inside the needle") {
    // 10 tokens: needle [2, 5) = {7, 8, 7}; prompt 7 tokens, answer {7, 9, 8} (9 is not in the needle).
    NeedlePrompt p;
    p.tokens = {1, 3, 7, 8, 7, 3, 4, 7, 9, 8};
    p.prompt_tokens = 7;
    p.needle_begin = 2;
    p.needle_end = 5;
    const int L = 1, H = 3, A = 3, n = 10, V = 12;
    std::vector<float> logits(size_t(A) * V, 0.f);
    logits[0 * V + 7] = 2.f;  // rows 0 and 2 right, row 1 wrong (argmax 3)
    logits[1 * V + 3] = 1.f;
    logits[2 * V + 8] = 3.f;
    std::vector<float> rows(size_t(L) * H * A * n, 0.f);
    const auto set = [&](int h, int t, int j, float v) { rows[row_attention_index(H, A, n, 0, h, t, j)] = v; };
    // Head 0 copies both copyable tokens (7 from position 4, 8 from position 3).
    set(0, 0, 4, 0.6f); set(0, 0, 0, 0.4f);
    set(0, 1, 2, 0.5f); set(0, 1, 5, 0.5f);  // 9 is not copyable: no copy whatever it attends
    set(0, 2, 3, 0.9f); set(0, 2, 1, 0.1f);
    // Head 1: top key in the needle but the wrong token (8 for 7); then 8 outside the needle (position 9 > row).
    set(1, 0, 3, 0.7f); set(1, 0, 2, 0.3f);
    set(1, 2, 0, 0.5f); set(1, 2, 3, 0.3f); set(1, 2, 4, 0.2f);
    // Head 2: the copied token's value outside the needle (position 7 holds a 7 too).
    set(2, 0, 7, 0.8f); set(2, 0, 2, 0.2f);
    const NeedleCell c = needle_cell_from_pass(p, L, H, V, logits, rows);
    CHECK(c.copyable == 2);
    CHECK(c.copies == std::vector<int>{2, 0, 0});
    CHECK(c.retrieval(0, 0) == 1.0);
    CHECK(c.retrieval(0, 1) == 0.0);
    CHECK(c.retrieval_heads() == 1);
    CHECK(!c.correct);
    CHECK(c.argmax_ids == std::vector<int>{7, 3, 8});
    CHECK(c.needle_mass[0] == doctest::Approx((0.6 + 0.5 + 0.9) / 3));
    CHECK(c.needle_mass[1] == doctest::Approx((1.0 + 0.0 + 0.5) / 3));
    const double lse0 = std::log(std::exp(2.0) + 11.0);
    CHECK(c.token_logprob[0] == doctest::Approx(2.0 - lse0));
    CHECK(c.token_logprob[1] == doctest::Approx(0.0 - std::log(std::exp(1.0) + 11.0)));
}
