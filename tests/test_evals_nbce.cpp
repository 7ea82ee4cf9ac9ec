// NBCE: the combination rule (normalised, min-entropy pooling, prior subtraction) on small
// hand-made rows, and on stories260K (CPU reference): one chunk with β = 0 equals plain
// scoring, the backend path (per-prefix runs) equals the reference logits, and the long-text
// evaluation.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/nbce.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "model_test_files.hpp"

namespace {

double total_probability(const std::vector<double>& lp) {
    double s = 0;
    for (double l : lp) s += std::exp(l);
    return s;
}

// A backend that hides all-logits support (exercises the per-prefix fallback).
class NoAllLogits : public xl::Forward {
public:
    explicit NoAllLogits(xl::Forward& f) : f_(f) {}
    xl::ForwardResult run(const xl::ForwardRequest& r) override {
        xl::ForwardRequest q = r;
        q.want_all_logits = false;
        return f_.run(q);
    }
    std::string device_name() const override { return "test wrapper"; }
    int64_t max_tokens() const override { return f_.max_tokens(); }

private:
    xl::Forward& f_;
};

}  // namespace

TEST_CASE("evals nbce: combination rule on hand-made rows") {
    const float flat[4] = {0.f, 0.f, 0.f, 0.f};
    const float sharp[4] = {0.f, 6.f, 0.f, 0.f};
    const float mid[4] = {1.f, 2.f, 0.f, 0.f};
    const float prior[4] = {3.f, 0.f, 1.f, 0.f};
    xl::NbceOptions o;
    int chosen = -1;
    const auto lp = xl::nbce_combine({flat, sharp, mid}, prior, 4, o, &chosen);
    CHECK(chosen == 1);  // lowest entropy
    CHECK(total_probability(lp) == doctest::Approx(1.0).epsilon(1e-12));
    // (β+1)·log p_sharp − β·log p_prior, renormalised: compare a log-ratio of two tokens.
    auto ls = [](const float* x, int v) {
        double s = 0;
        for (int i = 0; i < 4; ++i) s += std::exp(double(x[i]));
        return double(x[v]) - std::log(s);
    };
    const double expected = 1.25 * (ls(sharp, 1) - ls(sharp, 0)) - 0.25 * (ls(prior, 1) - ls(prior, 0));
    CHECK(lp[1] - lp[0] == doctest::Approx(expected).epsilon(1e-12));
    o.beta = 0;
    const auto one = xl::nbce_combine({mid}, prior, 4, o);
    for (int v = 0; v < 4; ++v) CHECK(one[size_t(v)] == doctest::Approx(ls(mid, v)).epsilon(1e-12));
    o.pooling = xl::NbcePooling::Average;
    o.beta = 0.5;
    const auto avg = xl::nbce_combine({flat, sharp, mid}, prior, 4, o, &chosen);
    CHECK(chosen == -1);
    CHECK(total_probability(avg) == doctest::Approx(1.0).epsilon(1e-12));
    const auto chunks = xl::nbce_chunks(10, 3);
    REQUIRE(chunks.size() == 4);
    CHECK(chunks.front().first == 0);
    CHECK(chunks.back().second == 10);
    for (size_t i = 1; i < chunks.size(); ++i) CHECK(chunks[i].first == chunks[i - 1].second);
}

TEST_CASE("evals nbce: stories260K, one chunk with beta 0 is plain scoring - chunked long text") {
    const xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    const auto stream =
        xl::load_token_stream(xl::test::shared("data/tinystories/valid-first201.txt"), *m.tokenizer);
    xl::CpuForward cpu(m);
    const xl::LogitsSource src = xl::reference_logits(m);
    const xl::MethodSpec spec = xl::parse_method_spec("none");
    const xl::PlanBuilder plans = [&](int n) { return xl::make_plan(spec, m.config, n); };
    const int bos = m.tokenizer->bos();
    const std::vector<int> ctx(stream.tokens.begin() + 1, stream.tokens.begin() + 61);
    const std::vector<int> cont(stream.tokens.begin() + 61, stream.tokens.begin() + 73);

    xl::NbceOptions o;
    o.bos = bos;
    o.beta = 0;
    const auto s = xl::nbce_score(src, ctx, cont, 100, plans, o);
    CHECK(s.chunks == 1);
    xl::ForwardRequest req;
    req.tokens.push_back(bos);
    req.tokens.insert(req.tokens.end(), ctx.begin(), ctx.end());
    req.tokens.insert(req.tokens.end(), cont.begin(), cont.end());
    req.plan = plans(int(req.tokens.size()));
    const auto plain = cpu.run(req);
    for (size_t i = 0; i < cont.size(); ++i)
        CHECK(s.nll[i] == doctest::Approx(plain.nll[ctx.size() + i]).epsilon(1e-5));

    o.beta = 0.25;
    const auto chunked = xl::nbce_score(src, ctx, cont, 16, plans, o);
    CHECK(chunked.chunks == 4);
    CHECK(std::isfinite(chunked.stats.mean()));
    CHECK(chunked.stats.count == int64_t(cont.size()));
    for (int c : chunked.chosen) CHECK((c >= 0 && c < 4));
    NoAllLogits slow(cpu);
    const auto fallback = xl::nbce_score(xl::forward_logits(slow), ctx, cont, 16, plans, o);
    for (size_t i = 0; i < cont.size(); ++i) CHECK(fallback.nll[i] == doctest::Approx(chunked.nll[i]).epsilon(1e-5));

    xl::NbceEvalOptions eo;
    eo.context_len = 150;
    eo.continuation_len = 16;
    eo.train_ctx = 64;
    eo.max_samples = 2;
    eo.nbce.bos = bos;
    const auto r = xl::evaluate_nbce(src, stream.tokens, eo, plans);
    CHECK(r.samples == 2);
    CHECK(r.chunk_len == 64 - 1 - 15);
    CHECK(r.chunks == 4);
    CHECK(r.nbce.count == 32);
    CHECK(r.truncated.count == 32);
    CHECK(std::isfinite(r.nbce.mean()));
    // Plain scoring with context beats no context at all on story text.
    CHECK(r.truncated.mean() < r.no_context.mean());
    eo.continuation_len = 80;
    CHECK_THROWS_AS(xl::evaluate_nbce(src, stream.tokens, eo, plans), xl::Error);
}
