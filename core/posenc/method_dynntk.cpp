// dynntk: Dynamic NTK, HF convention (ref §4, `_compute_dynamic_ntk_parameters`):
// α = s·L/L₀ − (s−1) with L = max(seq_len, L₀), then b' = b·α^(d/(d−2)). L₀ is the model's training
// context or `orig=` (HF itself reads max_position_embeddings). The plan is built for the whole
// sequence at once (the prefill view: one base for all keys; no generation-time cache state).
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_dynntk(const MethodArgs& a, PlanContext& c) {
    const double s = a.positive("s");
    const double orig = a.positive("orig", c.train_ctx);
    if (c.rope_dim <= 2) a.fail("NTK scaling needs a rotary dimension > 2");
    const double alpha = rope::dynntk_alpha_hf(s, c.n, orig);
    const double b = rope::ntk_base(c.base, alpha, c.rope_dim);
    c.inv_freq = c.theta(b);
    c.conventions.push_back("hf");
    c.note("dynntk: alpha = " + format_number(alpha) + " at L = " + std::to_string(c.n) + ", base " +
           format_number(b));
}

}  // namespace

void register_dynntk(MethodRegistry& r) {
    r.add({"dynntk", "Dynamic NTK (HF): alpha = s*L/L0 - (s-1) from the current length", "§4",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "1", "scale factor (HF rope_scaling factor)", {}},
            {"orig", KeyKind::Number, "", "model's training context L0 (tokens)", {}}},
           build_dynntk, {"dynamic"}});
}

}  // namespace xl
