// selfextend: Self-Extend (ref §11, LongLM self_extend_patch). Neighbour keys (i − j < W) use the
// normal positions; the others the grouped ones: q at i//G + shift, k at j//G, so
// d' = (i//G − j//G) + shift. shift = W − W/G (conv=code, float division as in LongLM) or
// W − W//G (conv=paper); equal when G divides W. Optional log-n with scale_base > 0.
#include <cmath>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_selfextend(const MethodArgs& a, PlanContext& c) {
    const double G = a.positive("G");
    const double W = a.whole("W", c.train_ctx / 4, 1);
    if (G != std::floor(G)) a.fail("'G' must be a whole number");
    const bool paper = a.choice("conv") == "paper";
    const double shift = paper ? W - std::floor(W / G) : W - W / G;
    c.claim_far(a);
    c.plan.far.neighbour_window = int(W);
    c.plan.far.pos.q_pos.resize(c.n);
    c.plan.far.pos.k_pos.resize(c.n);
    for (int i = 0; i < c.n; ++i) {
        c.plan.far.pos.q_pos[i] = float(std::floor(i / G) + shift);
        c.plan.far.pos.k_pos[i] = float(std::floor(i / G));
    }
    const double scale_base = a.num("scale_base");
    if (scale_base > 0) {
        if (!(scale_base > 1)) a.fail("'scale_base' must be > 1 (or <= 0 for off)");
        std::vector<double> f(c.n);
        for (int p = 0; p < c.n; ++p) f[p] = rope::logn_factor(p, scale_base);
        c.scale_queries(f);
    }
    c.conventions.push_back(paper ? "paper" : "code");
    c.note("selfextend: shift " + format_number(shift) + ", max length (L - W)·G + W = " +
           format_number((c.train_ctx - W) * G + W));
}

}  // namespace

void register_selfextend(MethodRegistry& r) {
    r.add({"selfextend", "Self-Extend: grouped positions beyond a neighbour window W", "§11",
           MethodStage::Modifier, MethodApplies::RoPE,
           {{"G", KeyKind::Number, "8", "group size", {}},
            {"W", KeyKind::Number, "", "a quarter of the training context (neighbour window, tokens)", {}},
            {"conv", KeyKind::Choice, "code", "shift: code W - W/G or paper W - W//G", {"code", "paper"}},
            {"scale_base", KeyKind::Number, "-1", "log-n base length (<= 0: off)", {}}},
           build_selfextend, {"self-extend"}});
}

}  // namespace xl
