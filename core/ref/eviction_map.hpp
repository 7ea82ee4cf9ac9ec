// The kept-token map of the eviction simulation (core/ref/kv_eviction.hpp), built chunk by chunk
// by either backend: the probe layer's attention of query i to key j where j was available to i
// (in the cache before i's chunk, or in the chunk at or before i), averaged over the blocks of a
// grid×grid reduction (block b covers tokens [b·N/grid, (b+1)·N/grid), as ref::reduce_grid).
// With grid = N the blocks are the cells themselves. A block without an available cell is NaN.
//
//   EvictionMapBuilder map(N, 256);
//   map.add_chunk(s, n, orig, probs);   // per chunk: probs[t][j] over the available keys orig[j]
//   std::vector<float> cells = map.means();
// EvictionProbe records what both backends report of the probe layer (kept sets and the map).
#pragma once
#include <cstdint>
#include <vector>

#include "core/ref/kv_eviction.hpp"

namespace xl {

class EvictionMapBuilder {
public:
    EvictionMapBuilder(int tokens, int grid);
    // The chunk of tokens s..s+n−1: probs[t·keys + j] is query s+t's attention to the key of
    // original index orig[j] (the cached entries, then the chunk's own tokens); key j is available
    // to query s+t when orig[j] <= s+t.
    void add_chunk(int s, int n, const std::vector<int>& orig, const float* probs);
    std::vector<float> means() const;  // grid×grid, row-major
    int grid() const { return grid_; }

private:
    // The block b with b·N/grid <= token < (b+1)·N/grid (integer divisions).
    int block(int token) const { return int((int64_t(token + 1) * grid_ + tokens_ - 1) / tokens_ - 1); }
    int tokens_, grid_;
    std::vector<double> sum_;
    std::vector<int64_t> count_;
};

// The probe layer of a run (EvictionRun::probe_layer/probe_head/map_grid): per chunk its kept set
// and its attention, into EvictionResult::kept_before_chunk and attention (N×N) or map.
class EvictionProbe {
public:
    EvictionProbe(const EvictionRun& run, int tokens, int n_heads);
    // The chunk s..s+n−1: kept = the cached original indices before it, orig = every key's
    // (kept, then the chunk's tokens), probs = every head's attention [H][n][orig.size()].
    void add_chunk(int s, int n, const std::vector<int>& kept, const std::vector<int>& orig, const float* probs);
    void finish(EvictionResult& result);

private:
    int head_, heads_, tokens_;
    bool grid_;
    EvictionMapBuilder map_;
    std::vector<std::vector<int>> kept_;
    std::vector<float> attention_;
};

}  // namespace xl
