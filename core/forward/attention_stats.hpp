// Attention statistics of every layer and head, accumulated in the forward pass itself (no n×n
// buffer): ForwardRequest::stats asks for them, ForwardResult::stats holds them. The Vulkan
// backend computes them in shaders/attention_rowstats.comp and attention_diagstats.comp from the
// row log-sum-exp of the attention kernel; the CPU reference (xl::ref::attention_stats) from the
// full softmax of each row.
//
//   ForwardRequest fr{tokens, plan};
//   fr.stats.want = true;                       // entropy, sink mass, mass per distance
//   fr.stats.logit_histogram = true;            // and the logit histogram per distance bucket
//   const AttentionStats& s = backend.run(fr).stats;
//   float h = s.entropy[s.index(layer, head, i)];
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "shaders/common/attention_stats.h"

namespace xl {

struct AttentionStatsRequest {
    bool want = false;
    int sink_tokens = 4;            // sink mass: keys j < sink_tokens (StreamingLLM keeps 4)
    bool logit_histogram = false;   // counts of query_scale·q·k per distance bucket and logit bin
};

struct AttentionStats {
    static constexpr int kBuckets = XL_STATS_BUCKETS;
    static constexpr int kBins = XL_STATS_BINS;
    static constexpr double kLogitMin = XL_STATS_LOGIT_MIN;
    static constexpr double kBinWidth = XL_STATS_BIN_WIDTH;

    int layers = 0, heads = 0, n = 0;
    std::vector<float> entropy;          // [layer][head][query i]: −Σ_j p(i,j) ln p(i,j), nats
    std::vector<float> sink_mass;        // [layer][head][query i]: Σ_{j < sink_tokens} p(i,j)
    std::vector<float> distance_mass;    // [layer][head][distance d]: Σ_i p(i, i−d)
    std::vector<uint32_t> logit_counts;  // [layer][bucket][bin], summed over heads (when asked for)

    size_t index(int layer, int head, int i) const { return (size_t(layer) * heads + size_t(head)) * size_t(n) + size_t(i); }
    size_t count_index(int layer, int bucket, int bin) const {
        return (size_t(layer) * kBuckets + size_t(bucket)) * kBins + size_t(bin);
    }
};

// Zero statistics of the right sizes for a pass (logit counts only when asked for).
AttentionStats empty_stats(int layers, int heads, int n, bool logit_histogram);

// Bucket of distance d: 0 for d = 0, b for 2^(b−1) ≤ d < 2^b, the last bucket for longer ones.
int stats_distance_bucket(int64_t d);
// Smallest and largest distance of a bucket (the last: up to `longest`).
int64_t stats_bucket_first(int bucket);
int64_t stats_bucket_last(int bucket, int64_t longest);
// Query-key pairs (j ≤ i < n) whose distance i − j falls in a bucket: Σ_d (n − d) over its distances.
int64_t stats_bucket_pairs(int bucket, int64_t n);
// The most logits one head puts into one bucket over n tokens (the histogram's counts are 32-bit).
int64_t stats_most_pairs_per_bucket(int64_t n);
// Bin of a logit (clamped into the first and last bin), and a bin's lower edge.
int stats_logit_bin(double logit);
double stats_bin_low(int bin);

}  // namespace xl
