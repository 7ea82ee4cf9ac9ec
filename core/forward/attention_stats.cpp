#include "core/forward/attention_stats.hpp"

#include <algorithm>
#include <cmath>

namespace xl {

AttentionStats empty_stats(int layers, int heads, int n, bool logit_histogram) {
    AttentionStats s;
    s.layers = layers;
    s.heads = heads;
    s.n = n;
    const size_t cells = size_t(layers) * size_t(heads) * size_t(n);
    s.entropy.assign(cells, 0.f);
    s.sink_mass.assign(cells, 0.f);
    s.distance_mass.assign(cells, 0.f);
    if (logit_histogram) s.logit_counts.assign(size_t(layers) * AttentionStats::kBuckets * AttentionStats::kBins, 0u);
    return s;
}

int stats_distance_bucket(int64_t d) {
    if (d <= 0) return 0;
    int b = 1;
    while (b < AttentionStats::kBuckets - 1 && (int64_t(1) << b) <= d) ++b;
    return b;
}

int64_t stats_bucket_first(int bucket) { return bucket <= 0 ? 0 : int64_t(1) << (bucket - 1); }

int64_t stats_bucket_last(int bucket, int64_t longest) {
    if (bucket <= 0) return 0;
    if (bucket >= AttentionStats::kBuckets - 1) return longest;
    return std::min(longest, (int64_t(1) << bucket) - 1);
}

int64_t stats_bucket_pairs(int bucket, int64_t n) {
    const int64_t first = stats_bucket_first(bucket), last = stats_bucket_last(bucket, n - 1);
    if (n <= 0 || first > last) return 0;
    const int64_t count = last - first + 1;
    return count * n - (first + last) * count / 2;  // (first + last)·count is even or count is
}

int64_t stats_most_pairs_per_bucket(int64_t n) {
    int64_t most = 0;
    for (int b = 0; b < AttentionStats::kBuckets; ++b) most = std::max(most, stats_bucket_pairs(b, n));
    return most;
}

int stats_logit_bin(double logit) {
    const double x = std::floor((logit - AttentionStats::kLogitMin) / AttentionStats::kBinWidth);
    if (!(x > 0)) return 0;  // NaN too
    return int(std::min(x, double(AttentionStats::kBins - 1)));
}

double stats_bin_low(int bin) { return AttentionStats::kLogitMin + bin * AttentionStats::kBinWidth; }

}  // namespace xl
