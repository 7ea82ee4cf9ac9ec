// yarn_deepseek: DeepSeek-V2/V3 YaRN on MLA (ref §6.4). Frequencies as YaRN (§6.1); the rotary
// factor is get_mscale(s, mscale)/get_mscale(s, mscale_all_dim) (1 for V3, where both are 1), and
// the YaRN temperature goes into the softmax scale, on all qk channels:
// query scale × get_mscale(s, mscale_all_dim)² (V3, s = 40: ×1.8738). §19 #1.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/yarn_frequencies.hpp"

namespace xl {
namespace {

void build_yarn_deepseek(const MethodArgs& a, PlanContext& c) {
    YarnParams p;
    p.s = a.positive("s");
    p.orig = a.positive("orig", c.train_ctx);
    p.beta_fast = a.num("beta_fast");
    p.beta_slow = a.num("beta_slow");
    apply_yarn_frequencies(c, p);
    const double m = a.num("mscale"), m_all = a.num("mscale_all_dim");
    c.mscale = c.attention_factor = rope::yarn_get_mscale(p.s, m) / rope::yarn_get_mscale(p.s, m_all);
    const double t = rope::yarn_get_mscale(p.s, m_all);
    c.scale_queries(t * t);
    c.conventions.push_back("deepseek");
    c.note("yarn_deepseek: softmax scale x" + format_number(t * t) + ", rotary factor " + format_number(c.mscale));
}

}  // namespace

void register_yarn_deepseek(MethodRegistry& r) {
    r.add({"yarn_deepseek", "DeepSeek-style YaRN: the temperature in the softmax scale (all channels)", "§6.4",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "4", "scale factor", {}},
            {"orig", KeyKind::Number, "", "model's training context (tokens)", {}},
            {"beta_fast", KeyKind::Number, "32", "YaRN beta_fast", {}},
            {"beta_slow", KeyKind::Number, "1", "YaRN beta_slow", {}},
            {"mscale", KeyKind::Number, "1", "rotary mscale (DeepSeek config)", {}},
            {"mscale_all_dim", KeyKind::Number, "1", "softmax mscale_all_dim (DeepSeek config)", {}}},
           build_yarn_deepseek, {"dsyarn"}});
}

}  // namespace xl
