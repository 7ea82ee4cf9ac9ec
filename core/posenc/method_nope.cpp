// nope: no position signal at all (NoPE baseline): no rotation on RoPE models, no bias on ALiBi
// models; only the causal mask orders the tokens.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void build_nope(const MethodArgs&, PlanContext& c) {
    c.inv_freq.clear();
    c.plan.alibi_slopes.clear();
}

}  // namespace

void register_nope(MethodRegistry& r) {
    r.add({"nope", "no position signal (no rotation, no ALiBi bias)", "baseline", MethodStage::Signal,
           MethodApplies::Any, {}, build_nope, {}});
}

}  // namespace xl
