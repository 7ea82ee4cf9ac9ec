// ntkalibi: NTK-ALiBi (ref §13, from a public README; the weakest-sourced formula of the reference):
// m_h = 1/(2^(B·h/H) · a^((h−1)/(H−1))), h = 1..H — the steepest head unchanged, the flattest
// divided by a. For head counts that are not powers of two the ALiBi-paper/BLOOM slope order is not
// monotone, so the exponent's head index is chosen by:
//   order=rank    the head's rank by slope, steepest = 1 (default), on the model's slopes;
//   order=index   the literal head index h = 1..H, on the model's slopes;
//   order=readme  the README formula verbatim (naive slopes 2^(−B·h/H) with the index).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

void build_ntkalibi(const MethodArgs& a, PlanContext& c) {
    const double alpha = a.positive("a");
    const std::string order = a.choice("order");
    const double bias = a.positive("max_bias", c.model_max_bias());
    const int H = c.config.n_heads;
    std::vector<double> m = order == "readme" ? rope::alibi_slopes_naive(H, bias)
                            : a.given("max_bias") ? rope::alibi_slopes(H, bias)
                                                  : c.model_alibi_slopes();
    std::vector<int> rank(H);  // 0-based exponent index per head
    std::iota(rank.begin(), rank.end(), 0);
    if (order == "rank") {
        std::vector<int> by_slope(H);
        std::iota(by_slope.begin(), by_slope.end(), 0);
        std::stable_sort(by_slope.begin(), by_slope.end(), [&](int x, int y) { return m[x] > m[y]; });
        for (int r = 0; r < H; ++r) rank[by_slope[r]] = r;
    }
    c.plan.alibi_slopes.resize(H);
    for (int h = 0; h < H; ++h) {
        const double e = H > 1 ? double(rank[h]) / (H - 1) : 0.0;
        c.plan.alibi_slopes[h] = float(m[h] / std::pow(alpha, e));
    }
    c.conventions.push_back(order);
}

}  // namespace

void register_ntkalibi(MethodRegistry& r) {
    r.add({"ntkalibi", "NTK-ALiBi: flatter heads divided by up to a (steepest unchanged)", "§13",
           MethodStage::Signal, MethodApplies::ALiBi,
           {{"a", KeyKind::Number, "2", "length factor: the flattest head's slope divided by a", {}},
            {"order", KeyKind::Choice, "rank", "head order for the exponent: rank, index or readme",
             {"rank", "index", "readme"}},
            {"max_bias", KeyKind::Number, "", "model's max_alibi_bias, else 8", {}}},
           build_ntkalibi, {"ntk-alibi"}});
}

}  // namespace xl
