// logn: log-n attention scaling (ref §12). Per position (ReRoPE, Qwen-1, LongLM):
// query p (0-based) multiplied by κ(p) = max(1, ln(p+1)/ln L), L = training context or `L=`.
// logn_len: the per-length form of the original blog, log_L(n) with n = sequence length, the same
// factor for every query (clamped at 1 like the per-position form). Prefill rows differ (§19 #15).
#include <cmath>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

double train_len(const MethodArgs& a, const PlanContext& c) {
    const double L = a.positive("L", c.train_ctx);
    if (!(L > 1)) a.fail("'L' must be > 1");
    return L;
}

void build_logn(const MethodArgs& a, PlanContext& c) {
    const double L = train_len(a, c);
    std::vector<double> f(c.n);
    for (int i = 0; i < c.n; ++i) f[i] = rope::logn_factor(i, L);
    c.scale_queries(f);
}

void build_logn_len(const MethodArgs& a, PlanContext& c) {
    const double L = train_len(a, c);
    const double f = std::max(1.0, std::log(double(c.n)) / std::log(L));
    c.scale_queries(f);
    c.note("logn_len: factor " + format_number(f) + " for all queries");
}

MethodKey key_L() { return {"L", KeyKind::Number, "", "model's training context (tokens)", {}}; }

}  // namespace

void register_logn(MethodRegistry& r) {
    r.add({"logn", "log-n query scaling max(1, ln(p+1)/ln L) per position", "§12", MethodStage::Modifier,
           MethodApplies::Any, {key_L()}, build_logn, {}});
    r.add({"logn_len", "log-n query scaling by sequence length, log_L(n) for every query", "§12",
           MethodStage::Modifier, MethodApplies::Any, {key_L()}, build_logn_len, {"lognlen"}});
}

}  // namespace xl
