// Axis ticks and tick labels shared by the exporters and the app's plot widgets.
//
//   std::vector<Tick> t = make_ticks(1, 5000, AxisScale::Log);   // 1, 10, 100, 1000 + minor 2..9
//   std::string s = format_tick(0.25);                            // "0.25"
#pragma once
#include <string>
#include <vector>

#include "core/io/figure_spec.hpp"

namespace xl {

struct Tick {
    double value = 0;
    bool major = true;     // minor ticks carry no label
    std::string label;
};

// About `target` major ticks inside [lo, hi]: 1-2-5 steps on linear axes, decades on log axes
// (1-2-5 multiples when the range spans less than two decades). `explicit_ticks` overrides.
std::vector<Tick> make_ticks(double lo, double hi, AxisScale scale, int target = 5,
                             const std::vector<double>& explicit_ticks = {});
// Compact label: "0", "0.5", "1024", "1e+06", "2.5e-05".
std::string format_tick(double v);
// Value with about `digits` significant digits (hover read-outs, CSV comments).
std::string format_value(double v, int digits = 4);

}  // namespace xl
