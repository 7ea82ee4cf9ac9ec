// Training-time position sampling: which position ids a model sees during training when it is
// taught a target length T longer than its training window n (figures: core/session/figures.hpp,
// CLI: `extrapolab positions`). Seeded and deterministic (own generator, same ids everywhere).
//
//   Plain      ids 0..n−1.
//   RandPE     n sorted distinct ids drawn uniformly from [0, T) per sequence
//              ("Randomized Positional Encodings Boost Length Generalization of Transformers").
//   PoSE       the window is cut into N chunks (lengths l_i ≥ 1, Σ l_i = n, cut points uniform);
//              chunk i keeps consecutive ids st_i + u_i .. st_i + u_i + l_i − 1 with st_i = Σ_{j<i} l_j,
//              u_0 = 0 and u_i ~ U{u_{i−1}, ..., T − n} (non-decreasing skips: no overlap), so ids
//              span up to T − 1 ("PoSE: Efficient Context Window Extension of LLMs via Positional
//              Skip-wise Training", §3.2, eq. 3-4; N = 2 by default there).
//
//   TrainingPositionOptions o{.method = TrainingSampler::PoSE, .train = 512, .target = 4096};
//   std::vector<PositionSample> s = sample_training_positions(o, /*count*/ 8);
//   std::vector<double> cov = distance_coverage(s, o.target);   // mean pairs per sequence at each distance
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xl {

enum class TrainingSampler { Plain, RandPE, PoSE };
const char* to_string(TrainingSampler s);              // "plain", "randpe", "pose"
// "plain" | "randpe" | "pose"; Error(BadArgument) naming `what` otherwise.
TrainingSampler parse_training_sampler(const std::string& text, const std::string& what = "--method");

struct TrainingPositionOptions {
    TrainingSampler method = TrainingSampler::PoSE;
    int train = 512;       // training window n (tokens per sequence)
    int target = 4096;     // target length T (ids fall in [0, T))
    int chunks = 2;        // PoSE chunk count N (1 <= N <= n)
    uint64_t seed = 1;     // sequence k uses a generator seeded from (seed, k)
};

// Error(BadArgument) on n < 1, T < n, N outside [1, n].
void check_training_positions(const TrainingPositionOptions& o);

struct PositionSample {
    std::vector<int> ids;            // n position ids, strictly increasing, in [0, T)
    std::vector<int> chunk_begin;    // PoSE: token index where each chunk starts (first = 0); else {0}
    std::vector<int> skip;           // PoSE: skip u_i per chunk (non-decreasing, u_0 = 0); else {0}
};

// Samples k = 0..count−1 (sample k is the same whatever `count` is).
std::vector<PositionSample> sample_training_positions(const TrainingPositionOptions& o, int count);

// For each relative distance d in [0, T): the mean number of (query, key) pairs at distance d per
// sequence (key <= query, causal). Plain training at n gives n − d for d < n and 0 beyond.
std::vector<double> distance_coverage(const std::vector<PositionSample>& samples, int target);

}  // namespace xl
