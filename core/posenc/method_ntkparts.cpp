// ntkparts: NTK-by-parts = YaRN frequencies with attention factor 1 (ref §5).
//   ramp=code   the implementations' ramp, linear in the pair index between floor(corr_dim(β_fast))
//               and ceil(corr_dim(β_slow)) (§6.1; YaRN repo, HF, GGML);
//   ramp=paper  the paper's ramp, linear in r = L/λ: γ = 0 for r < α, 1 for r > β (eq. 17-20),
//               α = beta_slow, β = beta_fast. (§19 #7: up to ×3 inv_freq difference in the band.)
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/yarn_frequencies.hpp"

namespace xl {
namespace {

void build_ntkparts(const MethodArgs& a, PlanContext& c) {
    YarnParams p;
    p.s = a.positive("s");
    p.orig = a.positive("orig", c.train_ctx);
    p.beta_fast = a.num("beta_fast");
    p.beta_slow = a.num("beta_slow");
    p.paper_ramp = a.choice("ramp") == "paper";
    if (p.paper_ramp && !(p.beta_fast > p.beta_slow)) a.fail("the paper's ramp needs beta_fast > beta_slow");
    apply_yarn_frequencies(c, p);
    c.conventions.push_back(p.paper_ramp ? "paper" : "code");
}

}  // namespace

void register_ntkparts(MethodRegistry& r) {
    r.add({"ntkparts", "NTK-by-parts: YaRN frequencies without attention factor (code or paper ramp)", "§5",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "4", "scale factor", {}},
            {"orig", KeyKind::Number, "", "model's training context (tokens)", {}},
            {"beta_fast", KeyKind::Number, "32", "ramp end: rotations in orig above which a pair is kept", {}},
            {"beta_slow", KeyKind::Number, "1", "ramp end: rotations in orig below which a pair is divided", {}},
            {"ramp", KeyKind::Choice, "code", "ramp: code (linear in pair index) or paper (linear in r)",
             {"code", "paper"}}},
           build_ntkparts, {"ntk-by-parts"}});
}

}  // namespace xl
