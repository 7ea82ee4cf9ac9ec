// linear: Position Interpolation (PI), m → m/s ⇔ θ'_j = θ_j/s (ref §2). Attention factor 1.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void build_linear(const MethodArgs& a, PlanContext& c) {
    const double s = a.positive("s");
    c.inv_freq = c.theta();
    for (double& t : c.inv_freq) t /= s;
    c.ramp.assign(c.pairs(), 1.0);  // every pair fully interpolated
}

}  // namespace

void register_linear(MethodRegistry& r) {
    r.add({"linear", "Position Interpolation: positions divided by s", "§2", MethodStage::Signal,
           MethodApplies::RoPE, {{"s", KeyKind::Number, "4", "scale factor (positions divided by s)", {}}},
           build_linear, {"pi"}});
}

}  // namespace xl
