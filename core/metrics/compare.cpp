// Loss differences and KL divergence between two configurations (see compare.hpp).
#include "core/metrics/compare.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/metrics/protocol.hpp"

namespace xl {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename T>
LossDifference difference(const std::vector<T>& a, const std::vector<T>& b) {
    assert(a.size() == b.size());
    LossDifference d;
    d.diff.assign(a.size(), kNaN);
    double sa = 0, sb = 0;
    int64_t better = 0;
    for (size_t p = 0; p < a.size(); ++p) {
        const double x = double(a[p]), y = double(b[p]);
        if (!std::isfinite(x) || !std::isfinite(y)) continue;
        d.diff[p] = y - x;
        sa += x;
        sb += y;
        better += y < x;
        d.count += 1;
    }
    const double n = double(d.count);
    d.mean_a = d.count ? sa / n : kNaN;
    d.mean_b = d.count ? sb / n : kNaN;
    d.mean_diff = d.count ? (sb - sa) / n : kNaN;
    d.b_better_fraction = d.count ? double(better) / n : kNaN;
    return d;
}

void mean_in_place(std::vector<double>& sum, int windows) {
    for (size_t p = 0; p < sum.size(); ++p) sum[p] = p == 0 || windows == 0 ? kNaN : sum[p] / windows;
}

}  // namespace

LossDifference loss_difference(const std::vector<double>& a, const std::vector<double>& b) {
    return difference(a, b);
}

LossDifference loss_difference(const std::vector<float>& a, const std::vector<float>& b) {
    return difference(a, b);
}

double kl_divergence_logits(const float* base_logits, const float* cfg_logits, int vocab) {
    std::vector<double> lp, lq;
    log_softmax_row(base_logits, vocab, lp);
    log_softmax_row(cfg_logits, vocab, lq);
    double kl = 0;
    for (int v = 0; v < vocab; ++v) {
        const double p = std::exp(lp[size_t(v)]);
        if (p > 0) kl += p * (lp[size_t(v)] - lq[size_t(v)]);
    }
    return kl;
}

std::vector<double> kl_per_position(const float* base_logits, const float* cfg_logits, int n, int vocab) {
    std::vector<double> out(size_t(std::max(n, 0)));
    for (int i = 0; i < n; ++i)
        out[size_t(i)] = kl_divergence_logits(base_logits + size_t(i) * vocab, cfg_logits + size_t(i) * vocab, vocab);
    return out;
}

ConfigComparison compare_configurations(const LogitsSource& logits, const std::vector<int>& tokens, int length,
                                        int max_windows, int bos, const PlanBuilder& base_plan,
                                        const PlanBuilder& cfg_plan) {
    if (length < 2) throw Error(ErrorKind::BadArgument, std::to_string(length), "window length must be at least 2 tokens");
    const auto windows = plan_windows(parse_protocol("all"), int64_t(tokens.size()), length, max_windows);
    if (windows.empty())
        throw Error(ErrorKind::BadArgument, "length " + std::to_string(length),
                    "longer than the text (" + std::to_string(tokens.size()) + " tokens)");
    ConfigComparison c;
    c.length = length;
    c.loss_base.assign(size_t(length), 0.0);
    c.loss_cfg.assign(size_t(length), 0.0);
    c.kl.assign(size_t(length), 0.0);
    const PositionPlan pa = base_plan(length), pb = cfg_plan(length);
    double kl_sum = 0;
    int64_t kl_count = 0;
    std::vector<double> la, lb;
    for (const ScoreWindow& w : windows) {
        std::vector<int> win(tokens.begin() + w.start, tokens.begin() + w.start + w.length);
        if (bos >= 0) win[0] = bos;
        const std::vector<float> ra = logits(win, pa, 0), rb = logits(win, pb, 0);
        const size_t vocab = ra.size() / size_t(length);
        assert(vocab > 0 && rb.size() == ra.size());
        for (int p = 1; p < length; ++p) {  // position p is predicted by row p-1
            const size_t row = size_t(p - 1) * vocab;
            log_softmax_row(ra.data() + row, int(vocab), la);
            log_softmax_row(rb.data() + row, int(vocab), lb);
            const size_t target = size_t(win[size_t(p)]);
            c.loss_base[size_t(p)] += -la[target];
            c.loss_cfg[size_t(p)] += -lb[target];
            c.base_stats.add(-la[target]);
            c.cfg_stats.add(-lb[target]);
            double kl = 0;
            for (size_t v = 0; v < vocab; ++v) kl += std::exp(la[v]) * (la[v] - lb[v]);
            c.kl[size_t(p)] += kl;
            kl_sum += kl;
            kl_count += 1;
        }
        c.windows += 1;
    }
    mean_in_place(c.loss_base, c.windows);
    mean_in_place(c.loss_cfg, c.windows);
    mean_in_place(c.kl, c.windows);
    c.mean_kl = kl_count ? kl_sum / double(kl_count) : kNaN;
    c.diff = loss_difference(c.loss_base, c.loss_cfg);
    return c;
}

}  // namespace xl
