// The factor table (`extrapolab table`): perplexity of every position method of the catalogue
// (core/posenc/catalogue.hpp) at f × the model's training length, each method configured for f.
// One eval sweep per factor (core/metrics/eval_sweep.hpp), pivoted to rows = methods,
// columns = factors; every cell keeps the spec it ran so the table can be reproduced.
//
//   FactorTable t = run_factor_table({1, 2, 4, 8}, fwd, config, stream, protocol, /*windows*/ 4, info);
//   std::cout << format_factor_table(t, FactorFormat::Markdown);
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/metrics/eval_sweep.hpp"

namespace xl {

struct FactorCell {
    std::string spec;                 // the catalogue's spec at this factor ("" = skipped)
    EvalRow result;                   // its eval row (length = round(f · train))
};

struct FactorRow {
    std::string label;                // method name
    std::string note;                 // how the parameters follow the factor
    std::string skipped;              // non-empty: no configuration, with the reason
    std::vector<FactorCell> cells;    // one per factor (empty when skipped)
};

struct FactorTable {
    EvalInfo info;
    std::string protocol, protocol_description;
    int max_windows = 0;              // --windows (0 = all)
    std::vector<double> factors;
    std::vector<int> lengths;         // one per factor
    std::vector<FactorRow> rows;
};

// The table's cells, factor-major then catalogue order: the row order of every output and the
// numbering shards use (core/metrics/sweep_shard.hpp).
struct FactorCellPlan {
    int factor = 0;                   // index into factors / lengths
    int row = 0;                      // index into the catalogue rows
    std::string spec;                 // the catalogue's spec text
    MethodSpec method;                // parsed
};
struct FactorTablePlan {
    FactorTable skeleton;             // everything but info and cells
    Protocol protocol;
    std::vector<FactorCellPlan> cells;
};
// Checks every length against the device and the text before any forward pass (check_eval_sweep)
// and builds every plan once, so a method the model cannot use fails first.
FactorTablePlan plan_factor_table(const std::vector<double>& factors, const Forward& forward,
                                  const ModelConfig& config, const TokenStream& stream, const Protocol& protocol,
                                  int max_windows);
EvalRow run_factor_cell(const FactorTablePlan& plan, int cell, Forward& forward, const ModelConfig& config,
                        const TokenStream& stream, const SweepProgress& progress = {});
// Puts each cell's row (in cell order) into the skeleton's rows.
struct FactorCellResult {
    int row = 0;
    std::string spec;
    EvalRow result;
};
FactorTable assemble_factor_table(FactorTable skeleton, EvalInfo info, std::vector<FactorCellResult> cells);

FactorTable run_factor_table(const std::vector<double>& factors, Forward& forward, const ModelConfig& config,
                             const TokenStream& stream, const Protocol& protocol, int max_windows, EvalInfo info,
                             const SweepProgress& progress = {});

enum class FactorFormat { Table, Markdown, Csv };
std::string format_factor_table(const FactorTable& t, FactorFormat format);
nlohmann::json factor_table_json(const FactorTable& t);

}  // namespace xl
