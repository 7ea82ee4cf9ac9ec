// rerope / leakyrerope: windowed relative positions (ref §10, the ReRoPE reference code). For d = i − j:
//   ReRoPE        d' = d if d < w else w          far branch: q at w, k at 0
//   Leaky ReRoPE  d' = d if d < w else w + (d − w)/k
//                 far branch: q at (i + w(k−1))/k, k at j/k (the second rotary is PI with factor k)
// Both ship with the log-n query scale max(1, ln(p+1)/ln L) (rerope_patch.py:56); logn=0 drops it.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

int window_arg(const MethodArgs& a, const PlanContext& c) {
    return a.whole("w", c.train_ctx / 4, 1);
}

void apply_logn(const MethodArgs& a, PlanContext& c) {
    if (a.num("logn") == 0) return;
    const double L = a.positive("L", c.train_ctx);
    if (!(L > 1)) a.fail("'L' must be > 1");
    std::vector<double> f(c.n);
    for (int p = 0; p < c.n; ++p) f[p] = rope::logn_factor(p, L);
    c.scale_queries(f);
}

void build_rerope(const MethodArgs& a, PlanContext& c) {
    const int w = window_arg(a, c);
    c.claim_far(a);
    c.plan.far.neighbour_window = w;
    c.plan.far.pos.q_pos.assign(c.n, float(w));
    c.plan.far.pos.k_pos.assign(c.n, 0.f);
    apply_logn(a, c);
}

void build_leaky(const MethodArgs& a, PlanContext& c) {
    const int w = window_arg(a, c);
    const double k = a.positive("k");
    c.claim_far(a);
    c.plan.far.neighbour_window = w;
    c.plan.far.pos.q_pos.resize(c.n);
    c.plan.far.pos.k_pos.resize(c.n);
    for (int i = 0; i < c.n; ++i) {
        c.plan.far.pos.q_pos[i] = float((i + w * (k - 1)) / k);
        c.plan.far.pos.k_pos[i] = float(i / k);
    }
    apply_logn(a, c);
}

MethodKey key_w() { return {"w", KeyKind::Number, "", "a quarter of the training context (window, tokens)", {}}; }
MethodKey key_logn() { return {"logn", KeyKind::Number, "1", "1 = log-n query scale as shipped, 0 = off", {}}; }
MethodKey key_L() { return {"L", KeyKind::Number, "", "model's training context (log-n length)", {}}; }

}  // namespace

void register_rerope(MethodRegistry& r) {
    r.add({"rerope", "ReRoPE: relative distance capped at w (two-branch attention)", "§10",
           MethodStage::Modifier, MethodApplies::RoPE, {key_w(), key_logn(), key_L()}, build_rerope, {}});
    r.add({"leakyrerope", "Leaky ReRoPE: distances beyond w grow at 1/k", "§10", MethodStage::Modifier,
           MethodApplies::RoPE,
           {key_w(), {"k", KeyKind::Number, "16", "slope divisor beyond the window", {}}, key_logn(), key_L()},
           build_leaky, {"leaky_rerope"}});
}

}  // namespace xl
