// YaRN / NTK-by-parts frequencies (see yarn_frequencies.hpp; ref §5, §6.1). The model's
// rope_freqs factors divide θ before interpolation (GGML theta/ff).
#include "core/posenc/yarn_frequencies.hpp"

namespace xl {

rope::CorrRange apply_yarn_frequencies(PlanContext& c, const YarnParams& p) {
    const auto theta = c.theta();
    const auto range = rope::yarn_corr_range(p.beta_fast, p.beta_slow, c.rope_dim, c.base, p.orig,
                                             p.paper_ramp ? false : p.truncate);
    c.inv_freq.resize(c.pairs());
    for (int j = 0; j < c.pairs(); ++j) {
        c.ramp[j] = p.paper_ramp ? rope::yarn_ramp_paper(theta[j], p.orig, p.beta_slow, p.beta_fast)
                                 : rope::yarn_ramp_code(j, range);
        c.inv_freq[j] = rope::yarn_mix(theta[j], p.s, c.ramp[j], p.ext_factor);
    }
    c.ramp_low = range.low;
    c.ramp_high = range.high;
    return range;
}

}  // namespace xl
