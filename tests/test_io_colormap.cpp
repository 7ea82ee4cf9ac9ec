// Colormaps and ticks: perceptual ordering of the sequential maps, the diverging map's symmetry,
// heatmap colour ranges, and tick placement on linear and log axes.
#include <doctest/doctest.h>

#include <cmath>

#include "core/io/colormap.hpp"
#include "core/io/ticks.hpp"

TEST_CASE("io: viridis and magma rise monotonically in lightness") {
    for (const char* name : {"viridis", "magma"}) {
        double prev = -1;
        for (int i = 0; i <= 32; ++i) {
            const double L = xl::cielab_lightness(xl::colormap_sample(name, i / 32.0));
            CHECK_MESSAGE(L > prev, name << " at " << i);
            prev = L;
        }
    }
    const xl::Rgba v0 = xl::colormap_sample("viridis", 0);  // published endpoint #440154
    CHECK(std::lround(v0.r * 255) == 0x44);
    CHECK(std::lround(v0.b * 255) == 0x54);
}

TEST_CASE("io: the diverging map is light in the middle and symmetric in lightness") {
    const double mid = xl::cielab_lightness(xl::colormap_sample("diverging", 0.5));
    for (double t : {0.0, 0.2, 0.4}) {
        const double a = xl::cielab_lightness(xl::colormap_sample("diverging", t));
        const double b = xl::cielab_lightness(xl::colormap_sample("diverging", 1 - t));
        CHECK(a < mid);
        CHECK(std::fabs(a - b) < 8);
    }
}

TEST_CASE("io: heatmap ranges: automatic, log, symmetric diverging - masked cells transparent") {
    xl::Heatmap h;
    h.rows = 1; h.cols = 4;
    h.values = {-0.5f, 0.25f, NAN, 2.f};
    double lo, hi;
    xl::heatmap_range(h, lo, hi);
    CHECK(lo == doctest::Approx(-0.5));
    CHECK(hi == doctest::Approx(2));
    h.colormap = "diverging";
    xl::heatmap_range(h, lo, hi);
    CHECK(lo == doctest::Approx(-2));
    h.colormap = "magma";
    h.log_scale = true;
    xl::heatmap_range(h, lo, hi);
    CHECK(lo == doctest::Approx(std::log10(0.25)));
    const auto px = xl::heatmap_rgba(h);
    CHECK(px[3] == 0);       // negative on a log scale: masked
    CHECK(px[4 * 2 + 3] == 0);  // NaN: masked
    CHECK(px[4 * 3 + 3] == 255);
}

TEST_CASE("io: ticks: 1-2-5 steps, decades, explicit ticks") {
    auto t = xl::make_ticks(0, 1, xl::AxisScale::Linear);
    REQUIRE(t.size() >= 3);
    CHECK(t.front().value == 0);
    CHECK(t.back().value == doctest::Approx(1));
    auto l = xl::make_ticks(1, 10000, xl::AxisScale::Log);
    int majors = 0;
    for (const auto& k : l) majors += k.major;
    CHECK(majors == 5);
    CHECK(l.front().label == "1");
    auto e = xl::make_ticks(200, 5000, xl::AxisScale::Log, 5, {256, 512, 1024, 8192});
    CHECK(e.size() == 3);
    CHECK(xl::format_tick(1024) == "1024");
    CHECK(xl::format_tick(2.5e-5) == "2.5e-05");
}
