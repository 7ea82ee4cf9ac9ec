// xpos: xPos magnitudes on top of the current RoPE rotation (ref §14). Pair j of a query at
// position p is multiplied by ζ_j^((p−c)/γ), of a key by ζ_j^(−(p−c)/γ), ζ_j = (2j + 0.4d)/(1.4d),
// γ = scale_base; the logit of pair j then scales by ζ_j^((m−n)/γ), a decay with distance.
// A modifier, so it composes with any frequency remap ("linear:s=4+xpos"); alone it rides on the
// model's plain RoPE (the implicit "none").
// Conventions for the centre c (only absolute magnitudes differ, not the logits):
//   centre=torchscale  c = −min_pos, min_pos = −(len+offset)//2 ⇒ c = ⌈n/2⌉ for n tokens;
//   centre=zero        c = 0 (some copies): factors grow as ζ^(−p/γ) and can overflow float32 on
//                      long sequences (ζ_0^(−n/γ) > 3.4e38 past n ≈ 70·γ).
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_xpos(const MethodArgs& a, PlanContext& c) {
    const double gamma = a.positive("scale_base");
    const std::string centre = a.choice("centre");
    if (c.inv_freq.empty() || c.pairs() == 0)
        a.fail("xPos scales rotated pairs; the position signal here has no rotation");
    if (!c.plan.xpos.zeta.empty()) a.fail("xPos is given twice");
    c.plan.xpos.zeta.resize(size_t(c.pairs()));
    for (int j = 0; j < c.pairs(); ++j) c.plan.xpos.zeta[size_t(j)] = float(rope::xpos_zeta(j, c.rope_dim));
    c.plan.xpos.scale_base = float(gamma);
    c.plan.xpos.centre = centre == "zero" ? 0.f : float(rope::xpos_centre_torchscale(c.n));
    c.conventions.push_back(centre == "zero" ? "xpos-centre-zero" : "xpos-centre-torchscale");
    c.note("xpos: γ = " + format_number(gamma) + ", centre " + format_number(c.plan.xpos.centre) +
           ", ζ_0 = " + format_number(c.plan.xpos.zeta.front()));
}

}  // namespace

void register_xpos(MethodRegistry& r) {
    r.add({"xpos", "xPos: RoPE with per-pair magnitude zeta_j^((m-n)/gamma) decaying with distance", "§14",
           MethodStage::Modifier, MethodApplies::RoPE,
           {{"scale_base", KeyKind::Number, "512", "gamma, tokens (torchscale scale_base)", {}},
            {"centre", KeyKind::Choice, "torchscale",
             "position centre: torchscale (ceil(n/2)) or zero (grows with n, may overflow)",
             {"torchscale", "zero"}}},
           build_xpos, {}});
}

}  // namespace xl
