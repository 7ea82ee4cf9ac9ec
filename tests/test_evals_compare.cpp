// Per-position loss differences and KL divergence between configurations: closed-form values,
// and on stories260K (CPU reference) consistency with the perplexity protocol and the
// all-logits output of the forward pass.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/metrics/compare.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/perplexity.hpp"
#include "core/metrics/protocol.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/load_model.hpp"
#include "core/model/tokenizer.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/cpu_forward.hpp"
#include "model_test_files.hpp"

namespace {

xl::PlanBuilder plans(const std::string& spec, const xl::ModelConfig& c) {
    const xl::MethodSpec s = xl::parse_method_spec(spec);
    return [s, c](int n) { return xl::make_plan(s, c, n); };
}

}  // namespace

TEST_CASE("evals compare: KL of two logits rows, closed form") {
    const float p[2] = {0.f, 0.f};
    const float q[2] = {float(std::log(3.0)), 0.f};  // (3/4, 1/4)
    CHECK(xl::kl_divergence_logits(p, q, 2) == doctest::Approx(0.5 * std::log(4.0 / 3.0)).epsilon(1e-6));
    CHECK(xl::kl_divergence_logits(p, p, 2) == doctest::Approx(0.0));
    // Shift invariance (softmax) and non-negativity over a few rows.
    const float a[6] = {1.f, 2.f, 3.f, -1.f, 0.5f, 4.f}, b[6] = {11.f, 12.f, 13.f, 0.f, 0.f, 0.f};
    const auto kl = xl::kl_per_position(a, b, 2, 3);
    REQUIRE(kl.size() == 2);
    CHECK(kl[0] == doctest::Approx(0.0).epsilon(1e-6));
    CHECK(kl[1] > 0.1);
}

TEST_CASE("evals compare: loss difference skips NaN positions") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const auto d = xl::loss_difference(std::vector<double>{nan, 2.0, 3.0, 1.0}, std::vector<double>{1.0, 1.5, 4.0, nan});
    CHECK(d.count == 2);
    CHECK(std::isnan(d.diff[0]));
    CHECK(d.diff[1] == doctest::Approx(-0.5));
    CHECK(d.diff[2] == doctest::Approx(1.0));
    CHECK(d.mean_diff == doctest::Approx(0.25));
    CHECK(d.b_better_fraction == doctest::Approx(0.5));
}

TEST_CASE("evals compare: stories260K, plain vs PI on the same windows (CPU reference)") {
    const xl::Model m = xl::load_model(xl::test::stories_bin(), xl::test::stories_tok());
    const auto stream =
        xl::load_token_stream(xl::test::shared("data/tinystories/valid-first201.txt"), *m.tokenizer);
    xl::CpuForward cpu(m);
    const int L = 96;
    const auto base = plans("none", m.config);

    // The reference logits reproduce the CPU reference's per-token NLL; so does the backend path
    // (the backend's all-logits output or, without one, one run per prefix).
    std::vector<int> win(stream.tokens.begin(), stream.tokens.begin() + L);
    const auto plain = cpu.run(xl::ForwardRequest{win, base(L)});
    const int V = m.config.vocab_size;
    const auto src = xl::reference_logits(m);
    const auto rows = src(win, base(L), 10);
    REQUIRE(rows.size() == size_t(L - 10) * V);
    const auto from_backend = xl::forward_logits(cpu)(std::vector<int>(win.begin(), win.begin() + 40), base(L), 30);
    REQUIRE(from_backend.size() == size_t(10) * V);
    std::vector<double> lp;
    for (int i = 10; i < L - 1; i += 7) {
        xl::log_softmax_row(rows.data() + size_t(i - 10) * V, V, lp);
        CHECK(-lp[size_t(win[size_t(i + 1)])] == doctest::Approx(plain.nll[size_t(i)]).epsilon(1e-4));
    }
    for (int i = 30; i < 39; ++i) {
        xl::log_softmax_row(from_backend.data() + size_t(i - 30) * V, V, lp);
        CHECK(-lp[size_t(win[size_t(i + 1)])] == doctest::Approx(plain.nll[size_t(i)]).epsilon(1e-4));
    }

    const auto same = xl::compare_configurations(src, stream.tokens, L, 2, m.tokenizer->bos(), base, base);
    CHECK(same.windows == 2);
    CHECK(same.mean_kl == doctest::Approx(0.0).epsilon(1e-9));
    CHECK(same.diff.mean_diff == doctest::Approx(0.0));

    const auto pi = xl::compare_configurations(src, stream.tokens, L, 2, m.tokenizer->bos(), base,
                                               plans("linear:s=4", m.config));
    CHECK(pi.mean_kl > 0.01);
    CHECK(std::isnan(pi.kl[0]));
    CHECK(pi.kl[L - 1] >= 0);
    CHECK(pi.diff.count == L - 1);
    CHECK(pi.cfg_stats.mean() - pi.base_stats.mean() == doctest::Approx(pi.diff.mean_diff).epsilon(1e-9));
    // Position losses agree with the "all" perplexity protocol over the same windows (no BOS
    // replacement on either side).
    const auto one = xl::compare_configurations(src, stream.tokens, L, 2, -1, base, base);
    const auto ppl = xl::evaluate_perplexity(cpu, stream.tokens, xl::parse_protocol("all"), L, 2, -1, base);
    for (int p = 1; p < L; p += 13)
        CHECK(one.loss_base[size_t(p)] == doctest::Approx(ppl.position_loss[size_t(p)]).epsilon(1e-4));
    CHECK(one.base_stats.mean() == doctest::Approx(ppl.stats.mean()).epsilon(1e-5));
}
