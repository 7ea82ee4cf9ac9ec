// ALiBi slopes (position-methods.md §13): the ALiBi-paper / GGML rule, the naive variant, explicit model
// slopes, interpolation; and the RoPE/ALiBi family checks.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/rope_math.hpp"
#include "test_posenc_helpers.hpp"

using namespace xl;

namespace {
void check_slopes(const std::vector<float>& got, const std::vector<double>& want, double eps) {
    REQUIRE(got.size() == want.size());
    for (size_t h = 0; h < want.size(); ++h) {
        CAPTURE(h);
        CHECK(got[h] == doctest::Approx(want[h]).epsilon(eps));
    }
}
std::vector<float> slopes(const std::string& spec, int heads) {
    return make_plan(parse_method_spec(spec), test::alibi_config(heads), 16).alibi_slopes;
}
}  // namespace

TEST_CASE("posenc §13 slope tables H = 8, 12, 16 and the naive H = 12 variant") {
    check_slopes(slopes("alibi", 8), {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625}, 1e-7);
    check_slopes(slopes("alibi", 12),
                 {0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.7071068, 0.3535534,
                  0.1767767, 0.0883883},
                 1e-6);
    check_slopes(slopes("alibi", 16),
                 {0.7071068, 0.5, 0.3535534, 0.25, 0.1767767, 0.125, 0.0883883, 0.0625, 0.0441942, 0.03125,
                  0.0220971, 0.015625, 0.0110485, 0.0078125, 0.0055243, 0.00390625},
                 1e-5);
    check_slopes(slopes("alibi:slopes=naive", 12),
                 {0.629961, 0.396850, 0.25, 0.157490, 0.099213, 0.0625, 0.039373, 0.024803, 0.015625, 0.009843,
                  0.006201, 0.00390625},
                 1e-5);
    // "none" on an ALiBi model is the model's own signal
    CHECK(slopes("none", 12) == slopes("alibi", 12));
}

TEST_CASE("posenc §13 the ALiBi-paper rule (get_slopes) equals the GGML form for H = 1..64") {
    for (int H = 1; H <= 64; ++H) {
        // ALiBi paper / HF build_alibi_tensor: c = 2^floor(log2 H); 2^(−B k/c), k=1..c; then odd k of 2c.
        int c = 1;
        while (c * 2 <= H) c *= 2;
        std::vector<double> paper_rule;
        for (int k = 1; k <= c; ++k) paper_rule.push_back(std::pow(2.0, -8.0 * k / c));
        for (int k = 1; int(paper_rule.size()) < H; k += 2) paper_rule.push_back(std::pow(2.0, -8.0 * k / (2 * c)));
        const auto ggml = rope::alibi_slopes(H, 8);
        for (int h = 0; h < H; ++h) CHECK(ggml[h] == doctest::Approx(paper_rule[h]).epsilon(1e-14));
    }
}

TEST_CASE("posenc §13 explicit model slopes take precedence - interpolation divides by a - max_bias") {
    auto cfg = test::alibi_config(4);
    cfg.alibi_slopes = {0.9f, 0.3f, 0.2f, 0.1f};
    const auto p = make_plan(parse_method_spec("alibi:interp=2"), cfg, 8);
    check_slopes(p.alibi_slopes, {0.45, 0.15, 0.1, 0.05}, 1e-7);
    CHECK(p.inv_freq.empty());
    CHECK(p.rope_dim == 0);
    check_slopes(make_plan(parse_method_spec("alibi:slopes=paper"), cfg, 8).alibi_slopes,
                 {0.25, 0.0625, 0.015625, 0.00390625}, 1e-7);
    check_slopes(slopes("alibi:max_bias=4", 4), {0.5, 0.25, 0.125, 0.0625}, 1e-7);
    auto cfg2 = test::alibi_config(4);
    cfg2.alibi_max_bias = 4;
    check_slopes(make_plan(parse_method_spec("alibi"), cfg2, 8).alibi_slopes, {0.5, 0.25, 0.125, 0.0625}, 1e-7);
}

TEST_CASE("posenc: RoPE methods on an ALiBi model and ALiBi on a RoPE model are clear errors") {
    const auto alibi = test::alibi_config(8);
    const auto rope = test::rope_config(8, 1e4, 512);
    for (const char* spec : {"yarn:s=4", "linear:s=2", "ntk", "dynntk:s=2", "abf:base=1e5", "none:layout=neox"}) {
        CAPTURE(spec);
        try {
            make_plan(parse_method_spec(spec), alibi, 16);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::BadArgument);
            CHECK(std::string(e.what()).find("synthetic-alibi") != std::string::npos);
        }
    }
    CHECK_THROWS_AS(make_plan(parse_method_spec("alibi"), rope, 16), Error);
    CHECK_NOTHROW(make_plan(parse_method_spec("alibi+logn"), alibi, 16));
    CHECK_THROWS_AS(make_plan(parse_method_spec("yarn+linear"), rope, 16), Error);  // two signals
}
