// Every registered method builds a well-formed plan with its defaults, and the plan's resolved
// spec (plan.method) compiles back to the same plan.
#include <doctest/doctest.h>

#include <cmath>

#include "core/posenc/method.hpp"
#include "core/posenc/method_registry.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;

namespace {

void check_well_formed(const PositionPlan& p, const ModelConfig& c, int n) {
    CHECK(p.seq_len == n);
    CHECK(p.query_scale.size() == size_t(n));
    for (float q : p.query_scale) CHECK((std::isfinite(q) && q > 0));
    CHECK(p.near.q_pos.size() == size_t(n));
    CHECK(p.near.k_pos.size() == size_t(n));
    if (p.far.enabled) {
        CHECK(p.far.pos.q_pos.size() == size_t(n));
        CHECK(p.far.pos.k_pos.size() == size_t(n));
        CHECK(p.far.neighbour_window > 0);
    }
    CHECK((p.inv_freq.empty() || p.inv_freq.size() == size_t(p.rope_dim / 2)));
    for (float f : p.inv_freq) CHECK((std::isfinite(f) && f > 0));
    CHECK((p.alibi_slopes.empty() || p.alibi_slopes.size() == size_t(c.n_heads)));
    CHECK(std::isfinite(p.mscale));
    CHECK(p.window >= 0);
    CHECK(p.sinks >= 0);
}

void check_same(const PositionPlan& a, const PositionPlan& b) {
    CHECK(a.method == b.method);
    CHECK(a.inv_freq == b.inv_freq);
    CHECK(a.query_scale == b.query_scale);
    CHECK(a.mscale == b.mscale);
    CHECK(a.alibi_slopes == b.alibi_slopes);
    CHECK(a.far.enabled == b.far.enabled);
    CHECK(a.far.pos.q_pos == b.far.pos.q_pos);
    CHECK(a.window == b.window);
    CHECK(a.sinks == b.sinks);
    CHECK(a.layout == b.layout);
}

}  // namespace

TEST_CASE("posenc registry: every method builds with its defaults and its resolved spec round-trips") {
    auto rope = test::rope_config(16, 1e4, 64, 4);
    rope.rope_factors_long.assign(8, 2.f);
    rope.rope_factors_short.assign(8, 1.f);
    const auto alibi = test::alibi_config(6, 8, 64);
    const int n = 200;
    int built = 0;
    for (const MethodInfo& m : method_registry().methods()) {
        for (const ModelConfig* c : std::vector<const ModelConfig*>{&rope, &alibi}) {
            const bool fits = m.applies == MethodApplies::Any ||
                              (m.applies == MethodApplies::RoPE) == (c->position == PositionSignal::RoPE);
            if (!fits) continue;
            CAPTURE(m.name);
            CAPTURE(c->name);
            CHECK(!m.description.empty());
            const PositionPlan p = make_plan(parse_method_spec(m.name), *c, n);
            check_well_formed(p, *c, n);
            const PositionPlan again = make_plan(parse_method_spec(p.method), *c, n);
            check_same(p, again);
            ++built;
        }
    }
    CHECK(built >= int(method_registry().methods().size()));
}

TEST_CASE("posenc registry: combinations round-trip in stage order") {
    const auto rope = test::rope_config(16, 1e4, 64, 4);
    const auto p = make_plan(parse_method_spec("logn+window:w=50+abf:base=2e4+yarn:s=2+rerope:w=8"), rope, 120);
    CHECK(p.method.rfind("abf:base=20000+yarn:s=2,", 0) == 0);
    check_same(p, make_plan(parse_method_spec(p.method), rope, 120));
    CHECK(p.window == 50);
    CHECK(p.far.enabled);
}
