// ntk: NTK-aware base scaling b' = b·α^(d/(d−2)), θ'_j = b'^(-2j/d) (ref §3; YaRN paper Def. 1).
// Highest frequency unchanged, lowest (j = d/2−1) divided by exactly α. Attention factor 1.
// ntkmixed: the "NTK-RoPE-mixed" variant of the ReRoPE repository (§3, ntk_patch.py):
// θ'_j = θ_j·exp(−a·(j+1)^b) with a = ln k/(d/2)^b — the lowest frequency divided by k.
#include <cmath>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_ntk(const MethodArgs& a, PlanContext& c) {
    const double alpha = a.positive("a");
    if (c.rope_dim <= 2) a.fail("NTK scaling needs a rotary dimension > 2");
    c.inv_freq = c.theta(rope::ntk_base(c.base, alpha, c.rope_dim));
    c.note("ntk: base " + format_number(c.base) + " -> " +
           format_number(rope::ntk_base(c.base, alpha, c.rope_dim)));
}

void build_ntkmixed(const MethodArgs& a, PlanContext& c) {
    const double k = a.positive("k"), b = a.positive("b");
    const double coef = std::log(k) / std::pow(c.pairs(), b);
    c.inv_freq = c.theta();
    for (int j = 0; j < c.pairs(); ++j) c.inv_freq[j] *= std::exp(-coef * std::pow(j + 1, b));
}

}  // namespace

void register_ntk(MethodRegistry& r) {
    r.add({"ntk", "NTK-aware base scaling b' = b*a^(d/(d-2))", "§3", MethodStage::Signal,
           MethodApplies::RoPE, {{"a", KeyKind::Number, "4", "alpha (lowest frequency divided by a)", {}}},
           build_ntk, {"ntkaware"}});
    r.add({"ntkmixed", "NTK-RoPE-mixed: theta_j*exp(-a(j+1)^b), lowest frequency divided by k", "§3",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"k", KeyKind::Number, "12", "divisor of the lowest frequency", {}},
            {"b", KeyKind::Number, "0.75", "exponent b", {}}},
           build_ntkmixed, {}});
}

}  // namespace xl
