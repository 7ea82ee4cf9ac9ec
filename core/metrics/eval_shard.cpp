#include "core/metrics/eval_shard.hpp"

#include <algorithm>
#include <cstdio>

#include "core/error.hpp"
#include "core/io/csv_writer.hpp"
#include "core/posenc/method_args.hpp"

namespace xl {

namespace {

using nlohmann::json;

std::string fixed6(double v) {
    char b[64];
    std::snprintf(b, sizeof b, "%.6f", v);
    return b;
}

json protocol_json(const std::string& name, const std::string& description) {
    return {{"name", name}, {"description", description}};
}

void require_kind(const ShardSet& set, const char* kind) {
    if (set.kind != kind)
        throw Error(ErrorKind::Mismatch, set.files.empty() ? "" : set.files.front(),
                    "holds a '" + set.kind + "' sweep, not '" + kind + "'");
}

// Columns every shard CSV starts with: who made the row, and what it was measured on.
const char* kCommonColumns = "extrapolab,cell,shard,model,text,protocol";
std::string common_fields(const json& r) {
    const json& s = r["sweep"];
    return csv_field(r.value("extrapolab", "")) + ',' + std::to_string(r["cell"].get<int>()) + ',' +
           csv_field(r.value("shard", "")) + ',' + csv_field(s["model"].value("path", "")) + ',' +
           csv_field(s["text"].value("path", "")) + ',' + csv_field(s["protocol"].value("name", ""));
}
const char* kRowColumns = "resolved,convention,length,ppl,ppl_stderr,mean_nll,tokens_scored,windows,seconds,device";
std::string row_fields(const json& x) {
    return csv_field(x.value("resolved", "")) + ',' + csv_field(x.value("convention", "")) + ',' +
           std::to_string(x.value("length", 0)) + ',' + fixed6(number_from_json(x["ppl"])) + ',' +
           fixed6(number_from_json(x["ppl_stderr"])) + ',' + fixed6(number_from_json(x["mean_nll"])) + ',' +
           std::to_string(x.value("tokens_scored", int64_t(0))) + ',' + std::to_string(x.value("windows", 0)) + ',' +
           fixed6(x.value("seconds", 0.0)) + ',' + csv_field(x.value("device", ""));
}

}  // namespace

json eval_info_json(const EvalInfo& i) {
    return {{"model", {{"path", i.model}, {"name", i.model_name}, {"format", i.model_format},
                       {"train_context", i.train_context}, {"tokenizer", i.tokenizer}}},
            {"text", {{"path", i.text}, {"documents", i.text_documents}, {"tokens", i.text_tokens},
                      {"separator", i.separator}, {"encoding", i.encoding}}}};
}

EvalInfo eval_info_from_json(const json& j, const std::string& device) {
    const json& m = j.at("model");
    const json& t = j.at("text");
    return EvalInfo{m.value("path", ""), m.value("name", ""), m.value("format", ""), m.value("train_context", 0),
                    t.value("path", ""), t.value("tokens", int64_t(0)), t.value("documents", 0),
                    t.value("separator", ""), t.value("encoding", ""), m.value("tokenizer", ""), device};
}

json eval_sweep_json(const EvalSweep& sweep, const EvalInfo& info) {
    json j = eval_info_json(info);
    j["protocol"] = protocol_json(sweep.protocol.name(), sweep.protocol.description());
    json methods = json::array();
    for (const MethodSpec& m : sweep.methods) methods.push_back(m.canonical());
    j["methods"] = std::move(methods);
    j["lengths"] = sweep.lengths;
    j["windows"] = sweep.max_windows;
    return j;
}

json eval_row_json(const EvalRow& r, const std::string& device) {
    json pl = json::array();
    for (double v : r.position_loss) pl.push_back(json_number(v));
    return {{"method", r.method}, {"resolved", r.resolved}, {"convention", r.convention}, {"protocol", r.protocol},
            {"length", r.length}, {"ppl", json_number(r.ppl)}, {"ppl_stderr", json_number(r.ppl_stderr)},
            {"mean_nll", json_number(r.mean_nll)}, {"tokens_scored", r.tokens_scored}, {"windows", r.windows},
            {"seconds", r.seconds}, {"device", device}, {"position_loss", std::move(pl)}};
}

EvalRow eval_row_from_json(const json& j) {
    EvalRow r;
    r.method = j.value("method", "");
    r.resolved = j.value("resolved", "");
    r.convention = j.value("convention", "");
    r.protocol = j.value("protocol", "");
    r.length = j.value("length", 0);
    r.ppl = number_from_json(j.value("ppl", json()));
    r.ppl_stderr = number_from_json(j.value("ppl_stderr", json()));
    r.mean_nll = number_from_json(j.value("mean_nll", json()));
    r.tokens_scored = j.value("tokens_scored", int64_t(0));
    r.windows = j.value("windows", 0);
    r.seconds = j.value("seconds", 0.0);
    if (j.contains("position_loss") && j["position_loss"].is_array())
        for (const json& v : j["position_loss"]) r.position_loss.push_back(number_from_json(v));
    return r;
}

ShardCsv eval_shard_csv() {
    return {std::string(kCommonColumns) + ",method," + kRowColumns, [](const json& r) {
                const json& x = r["result"];
                return common_fields(r) + ',' + csv_field(x.value("method", "")) + ',' + row_fields(x);
            }};
}

std::string rows_device(const ShardSet& set) {
    std::vector<std::string> seen;
    for (const json& r : set.results) {
        const std::string d = r.value("device", "");
        if (std::find(seen.begin(), seen.end(), d) == seen.end()) seen.push_back(d);
    }
    std::string out;
    for (const auto& d : seen) out += (out.empty() ? "" : " + ") + d;
    return out;
}

EvalTable eval_table_from_shards(const ShardSet& set) {
    require_kind(set, "eval");
    std::vector<EvalRow> rows;
    for (const json& r : set.results) rows.push_back(eval_row_from_json(r));
    const json& p = set.sweep.at("protocol");
    return EvalTable(eval_info_from_json(set.sweep, rows_device(set)), p.value("name", ""), p.value("description", ""),
                     std::move(rows));
}

json factor_sweep_json(const FactorTablePlan& plan, const EvalInfo& info) {
    const FactorTable& t = plan.skeleton;
    json j = eval_info_json(info);
    j["protocol"] = protocol_json(t.protocol, t.protocol_description);
    j["windows"] = t.max_windows;
    j["factors"] = t.factors;
    j["lengths"] = t.lengths;
    json rows = json::array();
    for (const FactorRow& r : t.rows) rows.push_back({{"label", r.label}, {"rule", r.note}, {"skipped", r.skipped}});
    j["rows"] = std::move(rows);
    return j;
}

json factor_cell_json(const FactorTablePlan& plan, int cell, const EvalRow& row, const std::string& device) {
    const FactorCellPlan& c = plan.cells.at(size_t(cell));
    json j = eval_row_json(row, device);
    j["row"] = c.row;
    j["label"] = plan.skeleton.rows.at(size_t(c.row)).label;
    j["factor"] = plan.skeleton.factors.at(size_t(c.factor));
    j["spec"] = c.spec;
    return j;
}

ShardCsv factor_shard_csv() {
    return {std::string(kCommonColumns) + ",label,factor,spec," + kRowColumns, [](const json& r) {
                const json& x = r["result"];
                return common_fields(r) + ',' + csv_field(x.value("label", "")) + ',' +
                       format_number(x.value("factor", 0.0)) + ',' + csv_field(x.value("spec", "")) + ',' +
                       row_fields(x);
            }};
}

FactorTable factor_table_from_shards(const ShardSet& set) {
    require_kind(set, "table");
    const json& s = set.sweep;
    FactorTable t;
    t.protocol = s.at("protocol").value("name", "");
    t.protocol_description = s.at("protocol").value("description", "");
    t.max_windows = s.value("windows", 0);
    t.factors = s.at("factors").get<std::vector<double>>();
    t.lengths = s.at("lengths").get<std::vector<int>>();
    for (const json& r : s.at("rows")) t.rows.push_back({r.value("label", ""), r.value("rule", ""), r.value("skipped", ""), {}});
    std::vector<FactorCellResult> cells;
    for (const json& r : set.results) {
        const int row = r.value("row", -1);
        if (row < 0 || row >= int(t.rows.size()))
            throw Error(ErrorKind::BadFile, set.files.front(), "a cell names a row outside the table");
        cells.push_back({row, r.value("spec", ""), eval_row_from_json(r)});
    }
    return assemble_factor_table(std::move(t), eval_info_from_json(s, rows_device(set)), std::move(cells));
}

}  // namespace xl
