// Closed-form position-method formulas; see rope_math.hpp for the section of each.
#include "core/posenc/rope_math.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace xl::rope {

double theta(int j, int d, double base) {
    assert(d > 0 && base > 0);
    return std::pow(base, -2.0 * j / d);
}

double wavelength(double inv_freq) { return 2.0 * kPi / inv_freq; }

double ntk_base(double base, double alpha, int d) {
    assert(d > 2);
    return base * std::pow(alpha, double(d) / (d - 2));
}

double dynntk_alpha_hf(double s, double seq_len, double orig) {
    const double len = std::max(seq_len, orig);
    return s * len / orig - (s - 1.0);
}

double qwen_ntk_alpha(double seq_len, double orig) {
    const double ctx = std::log2(seq_len / orig) + 1.0;
    return std::max(1.0, std::pow(2.0, std::ceil(ctx)) - 1.0);
}

double yarn_corr_dim(double r, int d, double base, double orig) {
    return d * std::log(orig / (r * 2.0 * kPi)) / (2.0 * std::log(base));
}

CorrRange yarn_corr_range(double beta_fast, double beta_slow, int d, double base, double orig,
                          bool truncate) {
    double low = yarn_corr_dim(beta_fast, d, base, orig);
    double high = yarn_corr_dim(beta_slow, d, base, orig);
    if (truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, double(d - 1));  // §6.1: clamp at d−1, not d/2−1
    if (low == high) high += 0.001;
    return {low, high};
}

double yarn_ramp_code(int j, const CorrRange& range) {
    const double y = (j - range.low) / std::max(0.001, range.high - range.low);
    return std::clamp(y, 0.0, 1.0);
}

double yarn_ramp_paper(double inv_freq, double orig, double alpha, double beta) {
    const double r = orig / wavelength(inv_freq);
    double gamma;
    if (r < alpha) gamma = 0;
    else if (r > beta) gamma = 1;
    else gamma = (r - alpha) / (beta - alpha);
    return 1.0 - gamma;
}

double yarn_mix(double theta_j, double s, double interp_weight, double ext_factor) {
    const double mix = (1.0 - interp_weight) * ext_factor;
    return theta_j / s * (1.0 - mix) + theta_j * mix;
}

double yarn_get_mscale(double s, double m) {
    if (s <= 1.0) return 1.0;
    return 0.1 * m * std::log(s) + 1.0;
}

double longrope_su_factor(double s, double orig) {
    if (s <= 1.0) return 1.0;
    return std::sqrt(1.0 + std::log(s) / std::log(orig));
}

double llama3_divisor(double inv_freq, double s, double low_freq_factor, double high_freq_factor,
                      double orig) {
    const double lambda = wavelength(inv_freq);
    const double low_freq_wavelen = orig / low_freq_factor;
    const double high_freq_wavelen = orig / high_freq_factor;
    if (lambda < high_freq_wavelen) return 1.0;
    if (lambda > low_freq_wavelen) return s;
    const double smooth = (orig / lambda - low_freq_factor) / (high_freq_factor - low_freq_factor);
    return 1.0 / ((1.0 - smooth) / s + smooth);
}

double xpos_zeta(int j, int d) { return (2.0 * j + 0.4 * d) / (1.4 * d); }

double xpos_centre_torchscale(int len) { return double((len + 1) / 2); }

double xpos_factor(double zeta, double pos, double centre, double scale_base, bool key) {
    const double e = (pos - centre) / scale_base;
    return std::pow(zeta, key ? -e : e);
}

double logn_factor(double pos, double train_len) {
    return std::max(1.0, std::log(pos + 1.0) / std::log(train_len));
}

std::vector<double> alibi_slopes(int n_heads, double max_bias) {
    // GGML form (ops.cpp soft_max): n_head_log2 = 2^floor(log2 H), m0 = 2^(−B/n2), m1 = 2^(−B/2/n2).
    int n2 = 1;
    while (n2 * 2 <= n_heads) n2 *= 2;
    const double m0 = std::pow(2.0, -max_bias / n2);
    const double m1 = std::pow(2.0, -(max_bias / 2.0) / n2);
    std::vector<double> out(n_heads);
    for (int h = 0; h < n_heads; ++h)
        out[h] = h < n2 ? std::pow(m0, h + 1) : std::pow(m1, 2 * (h - n2) + 1);
    return out;
}

std::vector<double> alibi_slopes_naive(int n_heads, double max_bias) {
    std::vector<double> out(n_heads);
    for (int h = 0; h < n_heads; ++h) out[h] = std::pow(2.0, -max_bias * (h + 1) / n_heads);
    return out;
}

CriticalDimension critical_dimension(int d, double base, double train_len) {
    CriticalDimension c;
    c.raw = (d / 2.0) * std::log(train_len / (2.0 * kPi)) / std::log(base);
    c.pairs = int(std::ceil(c.raw));
    c.d_extra = 2 * c.pairs;
    c.t_extra = 2.0 * kPi * std::pow(base, double(c.d_extra) / d);
    return c;
}

double base_for_length(int d, int d_extra, double target_len) {
    return std::pow(target_len / (2.0 * kPi), double(d) / d_extra);
}

}  // namespace xl::rope
