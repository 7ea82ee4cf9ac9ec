// Qwen-1 conventions (ref §4, §12; modeling_qwen.py):
//   qwenntk   dynamic NTK with the step α = max(1, 2^ceil(log2(L/L₀)+1) − 1) (1, 3, 7, 15, ...),
//             b' = b·α^(d/(d−2)), L = the plan's length (Qwen recomputes at prefill), L₀ = training
//             context (config.seq_length) or orig=.
//   qwenlogn  logn_list[p] = log_L(p+1) if p+1 > L else 1, indexed by query position: identical to
//             the per-position log-n κ(p) = max(1, ln(p+1)/ln L) (§12), under Qwen's name.
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_qwenntk(const MethodArgs& a, PlanContext& c) {
    const double orig = a.positive("orig", c.train_ctx);
    if (c.rope_dim <= 2) a.fail("NTK scaling needs a rotary dimension > 2");
    const double alpha = rope::qwen_ntk_alpha(c.n, orig);
    c.inv_freq = c.theta(rope::ntk_base(c.base, alpha, c.rope_dim));
    c.conventions.push_back("qwen");
    c.note("qwenntk: alpha = " + format_number(alpha) + " at L = " + std::to_string(c.n));
}

void build_qwenlogn(const MethodArgs& a, PlanContext& c) {
    const double L = a.positive("L", c.train_ctx);
    if (!(L > 1)) a.fail("'L' must be > 1");
    std::vector<double> f(c.n);
    for (int p = 0; p < c.n; ++p) f[p] = rope::logn_factor(p, L);
    c.scale_queries(f);
    c.conventions.push_back("qwen");
}

}  // namespace

void register_qwen(MethodRegistry& r) {
    r.add({"qwenntk", "Qwen-1 dynamic NTK: step alpha 1, 3, 7, 15, ... from L/L0", "§4", MethodStage::Signal,
           MethodApplies::RoPE, {{"orig", KeyKind::Number, "", "model's training context L0 (tokens)", {}}},
           build_qwenntk, {}});
    r.add({"qwenlogn", "Qwen-1 log-n: query p scaled by log_L(p+1) beyond L", "§12", MethodStage::Modifier,
           MethodApplies::Any, {{"L", KeyKind::Number, "", "model's training context (tokens)", {}}},
           build_qwenlogn, {}});
}

}  // namespace xl
