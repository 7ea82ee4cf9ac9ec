// abf: base change ("adjusted base frequency"; Code Llama 1e6, Llama-2-Long 5e5): θ_j = b'^(-2j/d)
// with a new base (ref §3). Runs before the signal method, so "abf:base=5e5+yarn:s=4" applies
// YaRN on the new base. No attention factor.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void build_abf(const MethodArgs& a, PlanContext& c) {
    const double b = a.positive("base");
    if (!(b > 1)) a.fail("'base' must be > 1");
    c.base = b;
}

}  // namespace

void register_abf(MethodRegistry& r) {
    r.add({"abf", "RoPE base change (ABF)", "§3", MethodStage::Base, MethodApplies::RoPE,
           {{"base", KeyKind::Number, "500000", "new RoPE base", {}}}, build_abf, {"base"}});
}

}  // namespace xl
