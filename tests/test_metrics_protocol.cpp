// Perplexity protocols on synthetic token streams with a fake forward pass: which tokens each
// protocol scores, BOS replacement, statistics and per-position losses (core/metrics).
#include <doctest/doctest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/metrics/perplexity.hpp"
#include "core/metrics/protocol.hpp"

namespace {

// nll[i] = 0.01 * (token predicted) so that scored tokens are identifiable; records requests.
class FakeForward : public xl::Forward {
public:
    std::vector<xl::ForwardRequest> requests;
    int64_t limit = 1 << 20;
    xl::ForwardResult run(const xl::ForwardRequest& req) override {
        requests.push_back(req);
        xl::ForwardResult r;
        for (size_t i = 0; i + 1 < req.tokens.size(); ++i) r.nll.push_back(0.01f * float(req.tokens[i + 1]));
        return r;
    }
    std::string device_name() const override { return "fake"; }
    int64_t max_tokens() const override { return limit; }
};

std::vector<int> ramp_tokens(int n) {
    std::vector<int> t(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) t[size_t(i)] = i;
    return t;
}

int64_t total_scored(const std::vector<xl::ScoreWindow>& ws) {
    int64_t n = 0;
    for (auto& w : ws) n += w.scored();
    return n;
}

xl::PositionPlan plan_for(int n) {
    xl::PositionPlan p;
    p.seq_len = n;
    p.method = "none";
    return p;
}

}  // namespace

TEST_CASE("metrics protocol: names parse and print canonically") {
    CHECK(xl::parse_protocol("all").name() == "all");
    CHECK(xl::parse_protocol("half").kind == xl::ProtocolKind::Half);
    auto s = xl::parse_protocol("sliding:256");
    CHECK(s.kind == xl::ProtocolKind::Sliding);
    CHECK(s.stride == 256);
    CHECK(s.name() == "sliding:256");
    for (const char* bad : {"", "ALL", "sliding", "sliding:", "sliding:0", "sliding:-3", "sliding:12x", "quarter"})
        CHECK_THROWS_AS(xl::parse_protocol(bad), xl::Error);
}

TEST_CASE("metrics protocol: all scores every token but the first of consecutive windows") {
    auto ws = xl::plan_windows(xl::parse_protocol("all"), 1000, 256);
    REQUIRE(ws.size() == 3);
    CHECK(ws[1].start == 256);
    CHECK(ws[2].start == 512);
    CHECK(total_scored(ws) == 3 * 255);
    CHECK(xl::plan_windows(xl::parse_protocol("all"), 1000, 256, 2).size() == 2);
    CHECK(xl::plan_windows(xl::parse_protocol("all"), 255, 256).empty());
}

TEST_CASE("metrics protocol: half scores n_ctx-1-n_ctx/2 tokens per chunk (255 at 512)") {
    auto ws = xl::plan_windows(xl::parse_protocol("half"), 2000, 512);
    REQUIRE(ws.size() == 3);
    for (auto& w : ws) {
        CHECK(w.scored() == 255);
        CHECK(w.first_target == 257);
        CHECK(w.bos_first);
    }
    auto odd = xl::plan_windows(xl::parse_protocol("half"), 100, 7);
    CHECK(odd[0].scored() == 7 - 1 - 7 / 2);
}

TEST_CASE("metrics protocol: sliding stride math scores every token after the first once") {
    // 1000 tokens, L = 512, S = 256: windows [0,512) [256,768) [512,1000) scoring 511, 256, 232.
    auto ws = xl::plan_windows(xl::parse_protocol("sliding:256"), 1000, 512);
    REQUIRE(ws.size() == 3);
    CHECK(ws[0].scored() == 511);
    CHECK(ws[1].start == 256);
    CHECK(ws[1].scored() == 256);
    CHECK(ws[2].start == 512);
    CHECK(ws[2].length == 488);
    CHECK(ws[2].scored() == 232);
    CHECK(total_scored(ws) == 999);
    // Exact fit: the last window ends at the stream's end.
    auto fit = xl::plan_windows(xl::parse_protocol("sliding:128"), 1024, 512);
    CHECK(fit.size() == 5);
    CHECK(total_scored(fit) == 1023);
    // Stride equal to L: like `all` but the tail is also covered.
    auto eq = xl::plan_windows(xl::parse_protocol("sliding:100"), 250, 100);
    CHECK(eq.size() == 3);
    CHECK(total_scored(eq) == 99 + 99 + 49);
}

TEST_CASE("metrics perplexity: scores the planned tokens and restores BOS for half") {
    FakeForward fwd;
    auto tokens = ramp_tokens(40);
    auto r = xl::evaluate_perplexity(fwd, tokens, xl::parse_protocol("half"), 10, 0, /*bos*/ 1, plan_for);
    CHECK(r.windows == 4);
    CHECK(r.stats.count == 4 * 4);  // 10 - 1 - 5 per chunk
    REQUIRE(fwd.requests.size() == 4);
    CHECK(fwd.requests[2].tokens[0] == 1);   // BOS replaces token 20
    CHECK(fwd.requests[2].tokens[1] == 21);
    CHECK(fwd.requests[2].plan.seq_len == 10);
    // Scored tokens are window positions 6..9: mean over chunks of 0.01*(start + p).
    CHECK(r.stats.mean() == doctest::Approx(0.01 * (15 + 7.5)).epsilon(1e-6));
    CHECK(std::isnan(r.position_loss[5]));
    CHECK(r.position_count[6] == 4);
    CHECK(r.position_loss[9] == doctest::Approx(0.01 * (15 + 9)).epsilon(1e-6));
}

TEST_CASE("metrics perplexity: PPL = exp(mean NLL) and the llama.cpp standard error") {
    xl::NllStats s;
    for (double v : {1.0, 2.0, 3.0, 2.0}) s.add(v);
    CHECK(s.mean() == doctest::Approx(2.0));
    CHECK(s.ppl() == doctest::Approx(std::exp(2.0)));
    // E[x²] - E[x]² = 4.5 - 4 = 0.5; stderr = ppl * sqrt(0.5 / 3).
    CHECK(s.ppl_stderr() == doctest::Approx(std::exp(2.0) * std::sqrt(0.5 / 3)));
}

TEST_CASE("metrics perplexity: sliding windows cover each target once") {
    FakeForward fwd;
    auto tokens = ramp_tokens(50);
    auto r = xl::evaluate_perplexity(fwd, tokens, xl::parse_protocol("sliding:8"), 16, 0, 1, plan_for);
    CHECK(r.stats.count == 49);
    // Each token 1..49 scored once: sum of 0.01*t.
    CHECK(r.stats.sum == doctest::Approx(0.01 * 49 * 50 / 2).epsilon(1e-6));
    CHECK(fwd.requests.back().plan.seq_len == int(fwd.requests.back().tokens.size()));
    CHECK_THROWS_AS(xl::evaluate_perplexity(fwd, ramp_tokens(10), xl::parse_protocol("all"), 16, 0, 1, plan_for),
                    xl::Error);
}
