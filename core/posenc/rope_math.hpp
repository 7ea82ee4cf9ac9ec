// Closed-form formulas of the position methods, as scalar functions of double precision.
// The method files (core/posenc/method_*.cpp) build plans from them; the analytic views (frequency
// remap, logit decay, ALiBi panels, `extrapolab rope`) and the tests evaluate them directly.
//
//   double t = xl::rope::theta(j, 128, 1e4);                      // θ_j = b^(-2j/d)
//   auto r = xl::rope::yarn_corr_range(32, 1, 128, 1e4, 4096, true);   // {20, 46}
//   double f = xl::rope::yarn_get_mscale(16);                      // 1.2772589
//
// Section numbers refer to the project's reference of position methods (position-methods.md).
#pragma once
#include <vector>

namespace xl::rope {

constexpr double kPi = 3.14159265358979323846;

// §1: θ_j = b^(-2j/d), pair j = 0..d/2-1 of a rotary dimension d.
double theta(int j, int d, double base);
// §18: λ = 2π/θ (tokens per full turn).
double wavelength(double inv_freq);

// §3: NTK-aware base b' = b·α^(d/(d−2)).
double ntk_base(double base, double alpha, int d);
// §4, HF convention: α = s·L/L₀ − (s−1) with L := max(L, L₀).
double dynntk_alpha_hf(double s, double seq_len, double orig);
// §4, Qwen-1: α = max(1, 2^ceil(log2(L/L₀)+1) − 1) (step function 1, 3, 7, 15, ...).
double qwen_ntk_alpha(double seq_len, double orig);

// §6.1: corr_dim(r) = d·ln(L/(2πr)) / (2 ln b).
double yarn_corr_dim(double r, int d, double base, double orig);
struct CorrRange {
    double low = 0, high = 0;  // pair indices of the ramp ends (high already nudged if equal)
};
// §6.1: low = floor(corr_dim(β_fast)), high = ceil(corr_dim(β_slow)) when `truncate`
// (fractional otherwise), clamped to [0, d−1]; high += 0.001 when equal.
CorrRange yarn_corr_range(double beta_fast, double beta_slow, int d, double base, double orig,
                          bool truncate);
// §6.1 (the implementations' ramp, linear in the pair index): interpolation weight
// w_j = clamp((j − low)/(high − low), 0, 1); 1 = divided by s, 0 = untouched.
double yarn_ramp_code(int j, const CorrRange& range);
// §5 (the YaRN paper's ramp, linear in r = L/λ): interpolation weight 1 − γ(r),
// γ = 0 for r < α, 1 for r > β, (r − α)/(β − α) between.
double yarn_ramp_paper(double inv_freq, double orig, double alpha, double beta);
// §6.1: θ' = (θ/s)·(1 − mix) + θ·mix with the extrapolation weight mix = (1 − w)·ext_factor
// (GGML rope_yarn; YaRN repository extrapolation_factor). ext_factor = 1 gives θ·[w/s + (1 − w)].
double yarn_mix(double theta, double s, double interp_weight, double ext_factor = 1.0);
// §6.3: get_mscale(s, m) = 0.1·m·ln s + 1 for s > 1, else 1.
double yarn_get_mscale(double s, double m = 1.0);

// §8: LongRoPE "su" attention factor √(1 + ln s / ln L) for s > 1, else 1.
double longrope_su_factor(double s, double orig);
// §9: Llama-3 divisor of θ: 1 (λ < L/high), s (λ > L/low), else 1/((1−smooth)/s + smooth)
// with smooth = (L/λ − low)/(high − low).
double llama3_divisor(double inv_freq, double s, double low_freq_factor, double high_freq_factor,
                      double orig);

// §12: log-n query factor κ(p) = max(1, ln(p+1)/ln L), p 0-based.
double logn_factor(double pos, double train_len);

// §14: xPos magnitude base of pair j of a rotary dimension d, ζ_j = (2j + 0.4d)/(1.4d).
double xpos_zeta(int j, int d);
// §14, torchscale convention: the centre c = −min_pos with min_pos = −(len+offset)//2 (Python
// floor division), i.e. ⌈len/2⌉ for a sequence of `len` tokens.
double xpos_centre_torchscale(int len);
// §14: factor on a pair at position p: ζ^((p−c)/γ) for queries, ζ^(−(p−c)/γ) for keys
// (torchscale downscale=True on keys).
double xpos_factor(double zeta, double pos, double centre, double scale_base, bool key);

// §13: ALiBi slopes of the ALiBi-paper / HF-BLOOM / GGML rule (identical for every H), head 0 first.
std::vector<double> alibi_slopes(int n_heads, double max_bias = 8.0);
// §13: the "naive" slopes 2^(−B·h/H), h = 1..H (differs for non-powers of two).
std::vector<double> alibi_slopes_naive(int n_heads, double max_bias = 8.0);

// §18: critical dimension of the RoPE scaling-law paper, d_extra = 2·⌈(d/2)·log_b(T/2π)⌉.
struct CriticalDimension {
    int pairs = 0;         // ⌈(d/2)·log_b(T/2π)⌉
    int d_extra = 0;       // 2·pairs
    double raw = 0;        // (d/2)·log_b(T/2π) before rounding
    double t_extra = 0;    // extrapolation bound 2π·b^(d_extra/d), tokens
};
CriticalDimension critical_dimension(int d, double base, double train_len);
// §18 inverse: base needed for length T with d_extra fixed, b = (T/2π)^(d/d_extra).
double base_for_length(int d, int d_extra, double target_len);

}  // namespace xl::rope
