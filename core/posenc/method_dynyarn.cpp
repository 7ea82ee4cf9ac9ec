// dynyarn: Dynamic YaRN (ref §6.5, YaRN repository LlamaDynamicYaRNScaledRotaryEmbedding).
// Not fine-tuned (s = 1): plain RoPE until the length exceeds orig, then scale = L/orig.
// Fine-tuned at factor s: scale s until L > s·orig, then L/orig. Frequencies as YaRN (§6.1) and
// attention factor get_mscale(scale)·attn_factor on cos and sin, both from the current scale.
#include <algorithm>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/yarn_frequencies.hpp"

namespace xl {
namespace {

void build_dynyarn(const MethodArgs& a, PlanContext& c) {
    const double s = a.positive("s");
    YarnParams p;
    p.orig = a.positive("orig", c.train_ctx);
    p.beta_fast = a.num("beta_fast");
    p.beta_slow = a.num("beta_slow");
    const double max_pos = std::max(1.0, s) * p.orig;
    p.s = c.n > max_pos ? c.n / p.orig : std::max(1.0, s);
    apply_yarn_frequencies(c, p);
    c.mscale = c.attention_factor = rope::yarn_get_mscale(p.s) * a.num("attn_factor");
    c.conventions.push_back("yarn-repo");
    c.note("dynyarn: scale " + format_number(p.s) + " at L = " + std::to_string(c.n));
}

}  // namespace

void register_dynyarn(MethodRegistry& r) {
    r.add({"dynyarn", "Dynamic YaRN: scale = L/orig once the length exceeds the (fine-tuned) context", "§6.5",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "1", "fine-tuned scale factor (1 = not fine-tuned)", {}},
            {"orig", KeyKind::Number, "", "model's training context (tokens)", {}},
            {"beta_fast", KeyKind::Number, "32", "YaRN beta_fast", {}},
            {"beta_slow", KeyKind::Number, "1", "YaRN beta_slow", {}},
            {"attn_factor", KeyKind::Number, "1", "multiplier on the attention factor", {}, true}},
           build_dynyarn, {}});
}

}  // namespace xl
