#include "core/metrics/sweep_results.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/metrics/eval_shard.hpp"
#include "core/metrics/sweep_shard.hpp"

namespace xl {

namespace {

using nlohmann::json;

double json_double(const json& j, const char* key) {
    return j.contains(key) ? number_from_json(j[key].is_null() ? json("nan") : j[key]) : NAN;
}

EvalRow row_from(const json& r) {
    EvalRow row = eval_row_from_json(r);
    row.ppl = json_double(r, "ppl");
    row.ppl_stderr = json_double(r, "ppl_stderr");
    row.mean_nll = json_double(r, "mean_nll");
    return row;
}

FactorTable factor_table_from_json(const json& j) {
    FactorTable t;
    t.info = eval_info_from_json(j, j.value("device", ""));
    t.protocol = j.at("protocol").value("name", "");
    t.protocol_description = j.at("protocol").value("description", "");
    t.max_windows = j.value("max_windows", 0);
    t.factors = j.at("factors").get<std::vector<double>>();
    t.lengths = j.at("lengths").get<std::vector<int>>();
    for (const json& r : j.at("rows")) {
        FactorRow row{r.value("method", ""), r.value("rule", ""), r.value("skipped", ""), {}};
        for (const json& c : r.at("cells")) row.cells.push_back({c.value("spec", ""), row_from(c)});
        t.rows.push_back(std::move(row));
    }
    return t;
}

}  // namespace

EvalTable eval_table_from_json(const json& j, const std::string& path) {
    if (!j.is_object() || !j.contains("results") || !j["results"].is_array() || !j.contains("model") ||
        !j.contains("text") || !j.contains("protocol"))
        throw Error(ErrorKind::BadFile, path, "not the JSON of `extrapolab eval` (no model / text / protocol / results)");
    std::vector<EvalRow> rows;
    for (const json& r : j["results"]) rows.push_back(row_from(r));
    return EvalTable(eval_info_from_json(j, j.value("device", "")), j["protocol"].value("name", ""),
                     j["protocol"].value("description", ""), std::move(rows));
}

EvalTable factor_table_as_eval(const FactorTable& t) {
    std::vector<EvalRow> rows;
    for (const FactorRow& r : t.rows)
        for (const FactorCell& c : r.cells) {
            EvalRow e = c.result;
            e.method = r.label;
            rows.push_back(std::move(e));
        }
    return EvalTable(t.info, t.protocol, t.protocol_description, std::move(rows));
}

EvalTable open_sweep_results(const std::string& path) {
    try {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            const ShardSet set = load_shard_dir(path);
            if (set.kind == "table") return factor_table_as_eval(factor_table_from_shards(set));
            return eval_table_from_shards(set);
        }
        const json j = json::parse(read_text_file(path), nullptr, false);
        if (j.is_discarded()) throw Error(ErrorKind::BadFile, path, "not JSON (open a merged .json or a shard folder)");
        if (j.is_object() && j.value("tool", "") == "extrapolab table") return factor_table_as_eval(factor_table_from_json(j));
        return eval_table_from_json(j, path);
    } catch (const json::exception& e) {
        throw Error(ErrorKind::BadFile, path, std::string("malformed results: ") + e.what());
    }
}

}  // namespace xl
