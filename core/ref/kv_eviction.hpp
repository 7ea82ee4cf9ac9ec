// A KV cache of bounded size, simulated over a long text: the scalar CPU reference
// (EvictionSimulator) and the interface it shares with the Vulkan path (EvictionEngine; the GPU
// twin is core/forward/vulkan_eviction.cpp, reached through Forward::eviction()).
// The text is processed in chunks; each layer keeps a cache of entries (original token index,
// the key before rotation, the value) exactly as computed when the token was processed — a
// cached token is never re-encoded. A chunk's queries attend to the layer's cached entries plus
// the chunk's own keys (causal); then the chunk's entries join the cache and the policy
// (eviction_policy.hpp) cuts it back to the budget. Per layer, since H2O and SnapKV keep
// different tokens in different layers.
//
// Positions (PositionBookkeeping): the plan's index of a key/query is
//   Reassigned: its slot in the cache (cached keys 0..m−1, chunk queries and keys m, m+1, ...),
//               with the plan built for min(N, budget + chunk) tokens: rotations change as the
//               cache shifts;
//   Original:   its token index, with the plan built for N tokens: each key's rotation is the
//               one it got when cached (rotating a stored raw key at that fixed position every
//               step gives the same numbers as storing the rotated key).
// Whatever the method (none, YaRN, Self-Extend's far branch ...), ref::attention_keyset applies
// the plan at those indices. With budget >= N nothing is evicted and both bookkeepings equal the
// whole-sequence CpuForward pass.
#pragma once
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"
#include "core/ref/eviction_policy.hpp"

namespace xl {

struct EvictionRun {
    EvictionPolicyParams policy;
    PositionBookkeeping positions = PositionBookkeeping::Reassigned;
    int chunk = 32;          // tokens processed per step
    int probe_layer = -1;    // layer whose kept sets and attention are recorded (-1: none)
    int probe_head = 0;      // head of the recorded attention (-1: mean over heads)
    int map_grid = 0;        // > 0: the probe's map as grid×grid block means (EvictionResult::map)
                             // instead of the N×N attention
    int threads = 1;         // CPU worker threads for the row-wise matmuls (results do not depend on it)
};

struct EvictionResult {
    std::vector<float> nll;              // per token t < N−1: −log p(token t+1 | simulated cache)
    double mean_nll = 0;                 // mean of nll
    double perplexity = 0;               // exp(mean_nll)
    int evictions = 0;                   // chunk steps (of the probe layer or layer 0) that evicted
    // Probe layer: cached original indices available to each chunk (before its own tokens),
    // and the probe head's attention as an N×N map indexed by original token (0 where evicted),
    // or with map_grid its block means over the available cells (core/ref/eviction_map.hpp).
    std::vector<std::vector<int>> kept_before_chunk;
    std::vector<float> attention;        // N×N row-major, empty without a probe layer or with map_grid
    std::vector<float> map;              // map_grid × map_grid (NaN: no available cell), with map_grid
    int map_grid = 0;
    // Smallest relative gap at the cut over every choice by score (h2o, snapkv) of every layer
    // (eviction_keep's margin; infinity when none): how close the kept sets came to a tie.
    double min_margin = std::numeric_limits<double>::infinity();
    double seconds = 0;
};

// A backend of the simulation. Every backend follows the semantics above and returns the same
// result within the tolerances of tests/test_gpu_eviction.cpp.
class EvictionEngine {
public:
    virtual ~EvictionEngine() = default;
    // plan_for(n): the position method's plan for n tokens (make_plan's, per_kind included for
    // multi-kind models). progress(done, total) is called after each chunk and may throw to
    // cancel. Throws Error(BadArgument) on bad settings (fewer than 2 tokens, chunk < 1, probe
    // out of range, policy settings as validate()), Error(OutOfMemory) when they do not fit.
    virtual EvictionResult run(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                               const EvictionRun& run, const std::function<void(int, int)>& progress = {}) = 0;
    virtual std::string device_name() const = 0;
    // Nothing evicted (the full-context line): run() with the window policy at budget N, chunks
    // of run.chunk, no probe. A backend may take its whole-sequence pass instead, which equals it
    // within the tolerances of its tests; progress counts the same steps.
    virtual EvictionResult full_context(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                                        const EvictionRun& run, const std::function<void(int, int)>& progress = {});
};

// What both backends share. check_eviction_run throws Error(BadArgument) on settings no backend
// can run (see EvictionEngine::run); eviction_plan is plan_for at the length the bookkeeping
// indexes (N for original positions, min(N, budget + chunk) reassigned), checked for every layer;
// eviction_indices gives the plan indices of a chunk of n queries starting at token s and of the
// keys with original indices orig (the cache, then the chunk).
void check_eviction_run(const ModelConfig& c, const std::vector<int>& tokens, const EvictionRun& run);
PositionPlan eviction_plan(const ModelConfig& c, int tokens, const EvictionRun& run,
                           const std::function<PositionPlan(int)>& plan_for);
void eviction_indices(PositionBookkeeping b, int s, int n, const std::vector<int>& orig, std::vector<int>& qi,
                      std::vector<int>& ki);
// run with nothing evicted over n tokens: the window policy at budget n, no probe.
EvictionRun nothing_evicted(const EvictionRun& run, int tokens);

// The scalar CPU reference. Holds the model's dequantised weights across runs (a sweep runs many
// settings on one model).
class EvictionSimulator : public EvictionEngine {
public:
    explicit EvictionSimulator(const Model& model) : model_(model) {}

    EvictionResult run(const std::vector<int>& tokens, const std::function<PositionPlan(int)>& plan_for,
                       const EvictionRun& run, const std::function<void(int, int)>& progress = {}) override;
    std::string device_name() const override { return "CPU reference"; }

private:
    const Model& model_;
    std::vector<std::vector<float>> dequantized_;
};

}  // namespace xl
