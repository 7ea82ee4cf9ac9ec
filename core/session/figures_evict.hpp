// Figures of the KV-cache eviction view: perplexity against cache budget (one figure per
// position method: a line per policy, solid for reassigned and dashed for original positions,
// the full-context perplexity as a horizontal marker), and the kept-token map: the probe
// layer's simulated attention drawn only where the key was in the cache (or in the chunk) when
// the query was processed; evicted keys are left blank.
#pragma once
#include <string>
#include <vector>

#include "core/io/figure_spec.hpp"
#include "core/metrics/eviction_sweep.hpp"

namespace xl {

// Cells per side of the kept-token map (simulated at this grid: EvictionRun::map_grid).
constexpr int kEvictMapGrid = 256;

struct EvictionMapInfo {
    std::string model, method, label;   // label: "streaming, reassigned, budget 64"
    int layer = 0, head = 0;            // head -1 = mean over heads
    int chunk = 0;
    std::string device;                 // the engine that simulated it
};

FigureSpec figure_evict_ppl(const EvictionSweep& s, int method_index, const std::string& model);
// Values: attention of query i to key j (N×N, from EvictionResult::attention) where j was
// available, NaN where it had been evicted or is in the future; reduced to at most `grid` cells
// per side by averaging the available cells of each block. A result simulated with map_grid holds
// those block means already (EvictionResult::map), drawn as they are.
FigureSpec figure_evict_map(const EvictionResult& r, int tokens, const EvictionMapInfo& info, int grid = kEvictMapGrid);
// Available(i, j) of the map: j in the cache before i's chunk, or in i's chunk at or before i.
std::vector<float> evict_map_values(const EvictionResult& r, int tokens, int chunk);

}  // namespace xl
