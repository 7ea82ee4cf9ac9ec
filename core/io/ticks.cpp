#include "core/io/ticks.hpp"

#include <cmath>
#include <cstdio>

namespace xl {

std::string format_tick(double v) {
    if (v == 0) return "0";
    char buf[32];
    const double a = std::fabs(v);
    if (a >= 1e-3 && a < 1e6) std::snprintf(buf, sizeof buf, "%.6g", v);
    else std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string format_value(double v, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

namespace {

double nice_step(double span, int target) {
    const double raw = span / std::max(target, 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / mag;
    const double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
    return nice * mag;
}

void linear_ticks(double lo, double hi, int target, std::vector<Tick>& out) {
    const double step = nice_step(hi - lo, target);
    const double first = std::ceil(lo / step - 1e-9) * step;
    for (int i = 0; i < 1000; ++i) {
        double v = first + i * step;
        if (v > hi + step * 1e-9) break;
        if (std::fabs(v) < step * 1e-9) v = 0;
        out.push_back({v, true, format_tick(v)});
    }
}

void log_ticks(double lo, double hi, std::vector<Tick>& out) {
    const int d0 = int(std::floor(std::log10(lo))), d1 = int(std::ceil(std::log10(hi)));
    const double span = std::log10(hi / lo);
    const bool few = span < 2;
    const bool thin = span > 8;
    for (int d = d0; d <= d1; ++d) {
        const double base = std::pow(10.0, d);
        for (int m = 1; m <= 9; ++m) {
            const double v = base * m;
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
            bool major = m == 1 || (few && (m == 2 || m == 5));
            if (thin && m == 1 && (d % 2) != 0) major = false;
            out.push_back({v, major, major ? format_tick(v) : ""});
        }
    }
}

}  // namespace

std::vector<Tick> make_ticks(double lo, double hi, AxisScale scale, int target,
                             const std::vector<double>& explicit_ticks) {
    std::vector<Tick> out;
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
    if (!explicit_ticks.empty()) {
        for (double v : explicit_ticks)
            if (v >= lo - 1e-9 * (hi - lo) && v <= hi + 1e-9 * (hi - lo)) out.push_back({v, true, format_tick(v)});
        return out;
    }
    if (scale == AxisScale::Log && lo > 0 && hi / lo > 5) log_ticks(lo, hi, out);
    else linear_ticks(lo, hi, target, out);
    return out;
}

}  // namespace xl
