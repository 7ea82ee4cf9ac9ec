// Writers for an EvalTable (core/metrics/eval_sweep.hpp): a table for people, JSON and CSV for
// machines. Every format names the model, the text, the protocol, each row's method spec and
// convention, and the device (DESIGN.md #13).
//
//   std::cout << format_eval_table(table);          // PPL pivot: methods × lengths
//   std::cout << eval_to_json(table, false).dump(2);
//   std::cout << format_eval_csv(table);            // '#' header comments + one row per result
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/metrics/eval_sweep.hpp"

namespace xl {

std::string format_eval_table(const EvalTable& table);
// per_position: include each row's mean loss per window position (null where unscored).
nlohmann::json eval_to_json(const EvalTable& table, bool per_position);
std::string format_eval_csv(const EvalTable& table);
// The model / text / protocol / device lines every format starts with, each line led by `prefix`
// ("" for tables, "# " for CSV comments); shared with the factor table (factor_table.hpp).
std::string eval_header_lines(const EvalInfo& info, const std::string& protocol,
                              const std::string& protocol_description, const char* prefix);

}  // namespace xl
