#include "core/metrics/logit_spread.hpp"

#include <algorithm>
#include <cmath>

namespace xl {

double histogram_quantile(const uint64_t* bins, double q) {
    uint64_t total = 0;
    for (int k = 0; k < AttentionStats::kBins; ++k) total += bins[k];
    if (total == 0) return NAN;
    const double target = q * double(total);
    double below = 0;
    for (int k = 0; k < AttentionStats::kBins; ++k) {
        const double c = bins[k];
        if (c > 0 && below + c >= target) {
            const double f = std::clamp((target - below) / c, 0.0, 1.0);
            return stats_bin_low(k) + f * AttentionStats::kBinWidth;
        }
        below += c;
    }
    return stats_bin_low(AttentionStats::kBins);
}

namespace {

LayerLogitSpread summarise(const std::vector<uint64_t>& counts, int layer, int n, int train_length) {
    LayerLogitSpread out;
    out.layer = layer;
    out.spread_inside = out.spread_farthest = NAN;
    for (int b = 0; b < AttentionStats::kBuckets; ++b) {
        const uint64_t* bins = counts.data() + size_t(b) * AttentionStats::kBins;
        LogitBucket k;
        k.bucket = b;
        k.first = stats_bucket_first(b);
        k.last = stats_bucket_last(b, n - 1);
        double sum = 0;
        for (int j = 0; j < AttentionStats::kBins; ++j) {
            k.count += int64_t(bins[j]);
            sum += double(bins[j]) * (stats_bin_low(j) + 0.5 * AttentionStats::kBinWidth);
        }
        if (k.count == 0) continue;
        k.mean = sum / double(k.count);
        for (size_t i = 0; i < kLogitQuantiles.size(); ++i) k.q[i] = histogram_quantile(bins, kLogitQuantiles[i]);
        k.clamped = bins[0] > 0 || bins[AttentionStats::kBins - 1] > 0;
        k.beyond_train = train_length > 0 && k.first >= train_length;
        const double spread = k.q[4] - k.q[0];
        if (train_length <= 0 || k.last < train_length) out.spread_inside = spread;
        out.spread_farthest = spread;
        out.buckets.push_back(k);
    }
    return out;
}

}  // namespace

LogitSpread logit_spread(const AttentionStats& stats, int n, int train_length) {
    LogitSpread s;
    s.n = n;
    s.train_length = train_length;
    const size_t per_layer = size_t(AttentionStats::kBuckets) * AttentionStats::kBins;
    if (stats.logit_counts.size() < size_t(stats.layers) * per_layer) return s;
    std::vector<uint64_t> all(per_layer, 0u);  // 64-bit: the sum over layers may pass 2^32
    for (int l = 0; l < stats.layers; ++l) {
        const std::vector<uint64_t> layer(stats.logit_counts.begin() + ptrdiff_t(size_t(l) * per_layer),
                                          stats.logit_counts.begin() + ptrdiff_t(size_t(l + 1) * per_layer));
        for (size_t k = 0; k < per_layer; ++k) all[k] += layer[k];
        s.layers.push_back(summarise(layer, l, n, train_length));
    }
    s.layers.push_back(summarise(all, -1, n, train_length));
    return s;
}

AttentionStats logit_histogram_pass(Forward& forward, const std::vector<int>& tokens, const PositionPlan& plan,
                                    const std::function<void(double)>& checkpoint) {
    ForwardRequest r;
    r.tokens = tokens;
    r.plan = plan;
    r.want_nll = false;
    r.stats.want = true;
    r.stats.logit_histogram = true;
    r.checkpoint = checkpoint;
    return forward.run(r).stats;
}

}  // namespace xl
