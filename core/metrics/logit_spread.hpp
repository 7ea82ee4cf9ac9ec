// Attention logits inside and beyond the training length: the distribution of the pre-softmax
// logits query_scale·(q·k) (the ALiBi bias left out) per octave distance bucket and layer, read
// from the histogram one forward pass accumulates (core/forward/attention_stats.hpp, no n×n
// buffer). Inside the trained distances the logits stay in a bounded band; beyond them RoPE's
// unseen rotations spread them (the observation behind log-n scaling, YaRN's temperature and
// windows: position-methods.md §6, §12, §15).
// Quantiles are read from 0.25-wide bins, interpolated linearly inside the bin that holds them:
// each is within one bin width (0.25) of the exact quantile of the logits, unless it falls in the
// first or last bin (logits below −32 or from 32 up are counted there; `clamped` says so).
//
//   LogitSpread s = logit_spread(forward_result.stats, n, train_length);
//   s.layers[l].buckets[b].q[2]   // median logit at distances [first, last] of bucket b
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/forward/attention_stats.hpp"
#include "core/forward/forward.hpp"

namespace xl {

constexpr std::array<double, 5> kLogitQuantiles = {0.01, 0.25, 0.5, 0.75, 0.99};

struct LogitBucket {
    int bucket = 0;
    int64_t first = 0, last = 0;   // distances d of the bucket, clipped to n − 1
    int64_t count = 0;             // logits counted (over heads and queries)
    std::array<double, 5> q{};     // kLogitQuantiles of the logits (NaN if count = 0)
    double mean = 0;               // from the bin centres
    bool clamped = false;          // some logits fell outside [−32, 32): their quantiles are bounds
    bool beyond_train = false;     // every distance of the bucket ≥ the training length
};

struct LayerLogitSpread {
    int layer = -1;                // −1: all layers together
    std::vector<LogitBucket> buckets;  // non-empty buckets, nearest first
    // Spread q99 − q01 of the farthest bucket inside the training length, and of the farthest
    // bucket overall (NaN where there is none).
    double spread_inside = 0, spread_farthest = 0;
};

struct LogitSpread {
    int n = 0, train_length = 0;
    std::vector<LayerLogitSpread> layers;  // every layer, then all layers together (layer −1)
};

// q-quantile (0 ≤ q ≤ 1) of the logits counted in bins[0..kBins), interpolated within its bin; NaN if empty.
double histogram_quantile(const uint64_t* bins, double q);
LogitSpread logit_spread(const AttentionStats& stats, int n, int train_length);
// One pass of `forward` over tokens with `plan`, the logit histogram asked for (no classifier);
// `checkpoint` as ForwardRequest::checkpoint.
AttentionStats logit_histogram_pass(Forward& forward, const std::vector<int>& tokens, const PositionPlan& plan,
                                    const std::function<void(double done)>& checkpoint = {});

}  // namespace xl
