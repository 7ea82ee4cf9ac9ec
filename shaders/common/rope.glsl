// RoPE angle of pair j at position pos, reduced to [-π, π] (position-methods.md §1:
// angle = pos · θ'_j). The product and the reduction are done in double so that positions of
// tens of thousands keep float32-accurate angles (as the CPU reference, which uses double).
#ifndef XL_NO_FP64
vec2 rope_cos_sin(float pos, float inv_freq) {
    const double two_pi = 6.283185307179586LF;
    double a = double(pos) * double(inv_freq);
    a -= two_pi * floor(a / two_pi + 0.5LF);
    const float af = float(a);
    return vec2(cos(af), sin(af));
}
#else
vec2 rope_cos_sin(float pos, float inv_freq) {
    const float two_pi = 6.2831853;
    float a = pos * inv_freq;
    a -= two_pi * floor(a / two_pi + 0.5);
    return vec2(cos(a), sin(a));
}
#endif

// xPos magnitude of a pair at position pos (position-methods.md §14): ζ^((pos − centre)·rate),
// rate = +1/γ for queries, −1/γ for keys. log2 ζ comes from the host (computed in double), so the
// device rounds one product and one exp2 instead of the log2 and exp2 inside pow.
float xpos_magnitude(float log2_zeta, float pos, float centre, float rate) {
    return exp2(log2_zeta * ((pos - centre) * rate));
}
