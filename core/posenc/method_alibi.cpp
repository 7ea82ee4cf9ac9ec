// alibi: ALiBi slopes for ALiBi models (ref §13): score −= m_h·(i − j).
// Slopes: the model's explicit slopes (ModelConfig::alibi_slopes) take precedence; otherwise the
// ALiBi-paper / HF-BLOOM / GGML rule from the head count and max_bias (identical for every H), or with
// slopes=paper|naive chosen explicitly (naive: 2^(−B·h/H)). Interpolated ALiBi: m_h/interp
// (inference at interp × the training length).
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_alibi(const MethodArgs& a, PlanContext& c) {
    const std::string rule = a.choice("slopes");
    const double bias = a.positive("max_bias", c.model_max_bias());
    const double interp = a.positive("interp");
    std::vector<double> m;
    if (rule == "model") m = a.given("max_bias") && c.config.alibi_slopes.empty()
                                 ? rope::alibi_slopes(c.config.n_heads, bias)
                                 : c.model_alibi_slopes();
    else if (rule == "paper") m = rope::alibi_slopes(c.config.n_heads, bias);
    else m = rope::alibi_slopes_naive(c.config.n_heads, bias);
    if (rule == "model" && !c.config.alibi_slopes.empty()) c.note("alibi: the model's explicit slopes");
    c.plan.alibi_slopes.clear();
    for (double x : m) c.plan.alibi_slopes.push_back(float(x / interp));
    c.conventions.push_back(rule == "naive" ? "naive" : "paper");
}

}  // namespace

void register_alibi(MethodRegistry& r) {
    r.add({"alibi", "ALiBi slopes (model's, ALiBi-paper/GGML rule or naive), interpolated by m/interp", "§13",
           MethodStage::Signal, MethodApplies::ALiBi,
           {{"max_bias", KeyKind::Number, "", "model's max_alibi_bias, else 8", {}},
            {"interp", KeyKind::Number, "1", "interpolation factor a: slopes divided by a", {}},
            {"slopes", KeyKind::Choice, "model", "slope rule: model's (else paper), paper, naive",
             {"model", "paper", "naive"}}},
           build_alibi, {}});
}

}  // namespace xl
