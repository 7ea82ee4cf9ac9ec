// Eval and factor-table sweeps as shards (core/metrics/sweep_shard.hpp): what identifies the
// sweep, one cell's row as JSON, the flat CSV of a shard, and the table rebuilt from a merged
// shard folder. The rebuilt table is the one the unsharded run builds, so its outputs match
// byte for byte (the CSV carries no timings).
//
//   ShardStore store(dir, "eval", shard, eval_sweep_json(sweep, info), eval_cell_count(sweep),
//                    eval_shard_csv(), resume);
//   store.add(c, eval_row_json(run_eval_cell(sweep, c, ...), device));
//   EvalTable t = eval_table_from_shards(load_shard_dir(dir));
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/factor_table.hpp"
#include "core/metrics/protocol.hpp"
#include "core/metrics/sweep_shard.hpp"

namespace xl {

// {"model": {...}, "text": {...}} of eval_to_json (no device: each row names its own).
nlohmann::json eval_info_json(const EvalInfo& info);
EvalInfo eval_info_from_json(const nlohmann::json& j, const std::string& device);

nlohmann::json eval_sweep_json(const EvalSweep& sweep, const EvalInfo& info);
nlohmann::json eval_row_json(const EvalRow& row, const std::string& device);
EvalRow eval_row_from_json(const nlohmann::json& j);
ShardCsv eval_shard_csv();
// Error(Mismatch) when the folder holds another kind of sweep.
EvalTable eval_table_from_shards(const ShardSet& set);

// The factor table's cells: factor-major, then catalogue order (the unsharded run's order).
nlohmann::json factor_sweep_json(const FactorTablePlan& plan, const EvalInfo& info);
nlohmann::json factor_cell_json(const FactorTablePlan& plan, int cell, const EvalRow& row, const std::string& device);
ShardCsv factor_shard_csv();
FactorTable factor_table_from_shards(const ShardSet& set);

// The devices named by the rows, joined by " + " when they differ (merge warns about that).
std::string rows_device(const ShardSet& set);

}  // namespace xl
