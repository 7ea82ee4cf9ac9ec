// Output formats of `extrapolab evict` (cmd_evict.cpp): a table per method (rows policy ×
// bookkeeping, columns budgets), JSON with every cell, CSV with one row per cell.
#pragma once
#include <string>

#include "core/metrics/eviction_sweep.hpp"

namespace xl::cli {

struct EvictHeader {
    std::string model, model_path, text, device;
    int text_tokens = 0;
    EvictionRun base;                    // chunk and the policies' parameters
};

std::string evict_table(const EvictHeader& h, const EvictionSweep& s);
std::string evict_json(const EvictHeader& h, const EvictionSweep& s);
std::string evict_csv(const EvictionSweep& s);

}  // namespace xl::cli
