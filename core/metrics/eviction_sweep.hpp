// Perplexity against KV-cache budget: the eviction simulation (core/ref/kv_eviction.hpp) over a
// grid of position method × policy × position bookkeeping × budget on one text, with the
// full-context perplexity of each method (budget N: nothing evicted) as the reference line.
// One probe cell can record the kept sets and attention of a layer for the kept-token map.
// Runs on any EvictionEngine: the CPU reference or the Vulkan path (Forward::eviction()).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/kv_eviction.hpp"

namespace xl {

struct EvictionSweepSpec {
    std::vector<MethodSpec> methods;                 // position methods (plans built per length)
    std::vector<EvictionPolicy> policies;
    std::vector<PositionBookkeeping> bookkeepings;
    std::vector<int> budgets;                        // cache entries per layer
    EvictionRun base;                                // chunk, sinks, shares, threads (policy/budget/positions set per cell)
};

struct EvictionCell {
    std::string method;                              // canonical spec
    EvictionPolicy policy = EvictionPolicy::Window;
    PositionBookkeeping positions = PositionBookkeeping::Reassigned;
    int budget = 0;
    double mean_nll = 0, perplexity = 0, seconds = 0;
    int evictions = 0;                               // chunk steps that evicted
};

struct EvictionSweep {
    int tokens = 0, chunk = 0;
    std::vector<std::string> methods;                // canonical specs, in spec order
    std::vector<double> full_perplexity;             // per method: nothing evicted (the whole-sequence pass)
    std::vector<EvictionCell> cells;                 // method-major, then policy, bookkeeping, budget
    std::string device;                              // the engine's device_name()
    double seconds = 0;
};

// Throws Error(BadArgument) on an empty list, a budget < 1 or the policies' own checks (before
// any work). progress(done, total) counts chunk steps over all cells and may throw to cancel.
EvictionSweep run_eviction_sweep(EvictionEngine& engine, const ModelConfig& config, const std::vector<int>& tokens,
                                 const EvictionSweepSpec& spec, const std::function<void(int64_t, int64_t)>& progress = {});
// The same on the CPU reference.
EvictionSweep run_eviction_sweep(const Model& model, const std::vector<int>& tokens, const EvictionSweepSpec& spec,
                                 const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace xl
