// dynpi: Dynamic Position Interpolation (ref §7; YaRN repository LlamaDynamicScaledRotaryEmbedding
// with ntk=False): once the length L exceeds orig, positions × orig/L, i.e. PI with s = L/orig.
#include <algorithm>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void build_dynpi(const MethodArgs& a, PlanContext& c) {
    const double orig = a.positive("orig", c.train_ctx);
    const double s = std::max(1.0, c.n / orig);
    c.inv_freq = c.theta();
    for (double& t : c.inv_freq) t /= s;
    c.ramp.assign(c.pairs(), s > 1 ? 1.0 : 0.0);
    c.note("dynpi: s = " + format_number(s) + " at L = " + std::to_string(c.n));
}

}  // namespace

void register_dynpi(MethodRegistry& r) {
    r.add({"dynpi", "Dynamic PI: positions scaled by orig/L beyond the training context", "§7",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"orig", KeyKind::Number, "", "model's training context (tokens)", {}}}, build_dynpi, {}});
}

}  // namespace xl
