// Opening a finished sweep for display (File > Open results in the app, `--results FILE`): a
// shard folder (merged on the fly, with merge's checks), or the JSON that `extrapolab eval` /
// `table` / `merge --format json` write. A factor table becomes one row per (method, factor).
//
//   EvalTable t = open_sweep_results("sweep-shards");     // or "merged.json"
//   FigureSpec f = figure_sweep_ppl(t, "sweep-shards");    // core/session/figures.hpp
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/factor_table.hpp"

namespace xl {

// Error(BadFile) naming the path for anything else, or a merge error (sweep_shard.hpp).
EvalTable open_sweep_results(const std::string& path);
// The JSON of eval_to_json (eval_report.hpp), read back.
EvalTable eval_table_from_json(const nlohmann::json& j, const std::string& path);
// Every cell of a factor table as an eval row (method = the row's label).
EvalTable factor_table_as_eval(const FactorTable& t);

}  // namespace xl
