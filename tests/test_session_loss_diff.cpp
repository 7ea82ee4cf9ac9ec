// The per-position loss difference figure: B − A with the loss plot's smoothing, one series per
// configuration after A in its own colour, NaN positions skipped, a zero line.
#include <doctest/doctest.h>

#include <cmath>

#include "core/session/figures.hpp"

TEST_CASE("session figures: loss difference to A per position") {
    xl::Results r;
    r.eval_length = 6;
    r.train_length = 4;
    xl::ConfigResult a, b, c;
    a.label = 'A'; a.method = "none";
    b.label = 'B'; b.method = "yarn:s=2";
    c.label = 'C'; c.method = "linear:s=2";
    a.position_loss = {NAN, 2.0, 2.0, 3.0, 3.0, 4.0};
    b.position_loss = {NAN, 1.0, 2.5, 2.0, 3.0, 3.0};
    c.position_loss = {NAN, 3.0, 3.0, 4.0, 4.0, 5.0};
    r.configs = {a, b, c};
    const xl::FigureSpec raw = xl::figure_position_loss_diff(r, 1);
    REQUIRE(raw.series.size() == 2);
    CHECK(raw.series[0].name.rfind("B - A", 0) == 0);
    REQUIRE(raw.series[0].y.size() == 5);              // position 0 is unscored
    CHECK(raw.series[0].x.front() == 1);
    CHECK(raw.series[0].y[0] == doctest::Approx(-1.0));
    CHECK(raw.series[0].y[1] == doctest::Approx(0.5));
    for (double y : raw.series[1].y) CHECK(y == doctest::Approx(1.0));
    CHECK(raw.series[1].color.a > 0);                   // C keeps its palette colour
    const xl::FigureSpec smooth = xl::figure_position_loss_diff(r, 2);
    CHECK(smooth.series[0].y.back() == doctest::Approx((0.0 - 1.0) / 2));  // mean of the last two differences
    bool zero_line = false;
    for (const xl::Marker& m : smooth.markers) zero_line |= m.kind == xl::MarkerKind::Horizontal && m.value == 0;
    CHECK(zero_line);
}
