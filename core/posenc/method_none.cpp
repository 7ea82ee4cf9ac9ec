// none: the model's own position signal, unchanged.
// RoPE models: θ_j = b^(-2j/d) (ref §1), divided by the model's rope_freqs factors where the file
// has them (GGUF; ref §6.1 "freq_factors"); pair layout from the model or `layout=`.
// ALiBi models: the model's slopes (explicit, else the §13 rule). Models without a position
// signal: nothing.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void build_none(const MethodArgs& a, PlanContext& c) {
    const std::string layout = a.choice("layout");
    if (c.rope_model) {
        c.inv_freq = c.theta();
        if (layout == "normal") c.plan.layout = RopeLayout::Normal;
        if (layout == "neox") c.plan.layout = RopeLayout::NeoX;
    } else if (layout != "model") {
        a.fail("'layout' applies to RoPE models only; model '" + c.config.name + "' has no RoPE");
    }
    if (c.config.position == PositionSignal::ALiBi) {
        const auto s = c.model_alibi_slopes();
        c.plan.alibi_slopes.assign(s.begin(), s.end());
    }
    c.attention_factor = c.mscale = 1;
}

}  // namespace

void register_none(MethodRegistry& r) {
    r.add({"none", "the model's own position signal (plain RoPE or the model's ALiBi slopes)", "§1",
           MethodStage::Signal, MethodApplies::Any,
           {{"layout", KeyKind::Choice, "model",
             "RoPE pair layout: model's, normal (2j,2j+1) or neox (j,j+d/2)", {"model", "normal", "neox"}, true}},
           build_none, {"rope", "plain"}});
}

}  // namespace xl
