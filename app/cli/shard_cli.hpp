// The sharding options shared by `eval`, `table` and `passkey` (core/metrics/sweep_shard.hpp):
//   --shard i/n      compute only the cells c with c mod n == i
//   --shard-dir DIR  where each shard keeps its rows (DIR/<kind>-shard-<i>-of-<n>.jsonl + .csv)
//   --resume         skip the cells any shard file of DIR already holds
// `extrapolab merge DIR` joins them into the usual outputs.
#pragma once
#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/metrics/sweep_shard.hpp"

namespace xl::cli {

struct ShardOptions {
    std::string shard, dir;
    bool resume = false;
    bool active() const { return !shard.empty() || !dir.empty() || resume; }
};

void add_shard_options(CLI::App* app, ShardOptions& o);
// Error(BadArgument) for --shard or --resume without --shard-dir, or a malformed --shard.
ShardSpec check_shard_options(const ShardOptions& o);

// Computes the pending cells of the shard one by one, each stored at once; prints what it did.
// `label(cell)` names a cell on stderr, `compute(cell)` returns its result row.
void run_shard(const ShardOptions& o, const std::string& kind, const nlohmann::json& sweep, int cells,
               const ShardCsv& csv, const std::function<nlohmann::json(int cell)>& compute);

}  // namespace xl::cli
