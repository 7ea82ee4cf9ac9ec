// Layout of the attention statistics (shaders/attention_rowstats.comp, attention_diagstats.comp,
// core/forward/attention_stats.hpp, twin xl::ref::attention_stats), shared by GLSL and C++.
// Distance buckets are octaves: bucket 0 holds d = 0, bucket b ≥ 1 holds 2^(b−1) ≤ d < 2^b, the
// last one every longer distance. Logit bins are XL_STATS_BIN_WIDTH wide from XL_STATS_LOGIT_MIN;
// logits outside the range count in the first or last bin.
#ifndef XL_ATTENTION_STATS_H
#define XL_ATTENTION_STATS_H
#define XL_STATS_BUCKETS 18
#define XL_STATS_BINS 256
#define XL_STATS_LOGIT_MIN (-32.0)
#define XL_STATS_BIN_WIDTH 0.25
#define XL_STATS_GROUP 64            // invocations per workgroup of both kernels
#define XL_STATS_LOCAL_BUCKETS 7     // buckets of 64 consecutive distances: at most 7 (d = 0..63)
#endif
