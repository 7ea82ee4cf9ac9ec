// `extrapolab merge DIR`: joins the shard files of a sharded `eval`, `table` or `passkey` sweep (--shard i/n
// --shard-dir DIR; core/metrics/sweep_shard.hpp) into the usual outputs. Every cell must be
// present exactly once and every shard must name the same version, model, text, protocol and
// grid; otherwise one error names what is missing or conflicting (exit 2).
#include <algorithm>
#include <cmath>
#include <memory>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/io/csv_writer.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/eval_shard.hpp"
#include "core/metrics/passkey_shard.hpp"

namespace xl::cli {

namespace {

struct MergeOptions {
    std::string dir, format = "table", out;
    bool per_position = false;
};

PerplexityTable yarn_layout(const EvalTable& t) {
    PerplexityTable y;
    for (const EvalRow& r : t.rows())
        if (std::find(y.lengths.begin(), y.lengths.end(), r.length) == y.lengths.end()) y.lengths.push_back(r.length);
    for (const EvalRow& r : t.rows()) {
        const std::string name = r.convention.empty() ? r.method : r.method + " (" + r.convention + ")";
        auto it = std::find_if(y.rows.begin(), y.rows.end(), [&](const auto& row) { return row.first == name; });
        if (it == y.rows.end()) it = y.rows.insert(y.rows.end(), {name, std::vector<double>(y.lengths.size(), NAN)});
        it->second[size_t(std::find(y.lengths.begin(), y.lengths.end(), r.length) - y.lengths.begin())] = r.ppl;
    }
    return y;
}

PerplexityTable yarn_layout(const FactorTable& t) {
    PerplexityTable y{t.lengths, {}};
    for (const FactorRow& r : t.rows) {
        if (r.cells.empty()) continue;
        std::vector<double> ppl;
        for (const FactorCell& c : r.cells) ppl.push_back(c.result.ppl);
        y.rows.push_back({r.label, std::move(ppl)});
    }
    return y;
}

std::string merged_eval(const ShardSet& set, const MergeOptions& o) {
    const EvalTable t = eval_table_from_shards(set);
    if (o.format == "json") return json_text(eval_to_json(t, o.per_position));
    if (o.format == "csv") return format_eval_csv(t);
    if (o.format == "yarn") return yarn_csv_string(yarn_layout(t));
    return format_eval_table(t);
}

std::string merged_table(const ShardSet& set, const MergeOptions& o) {
    const FactorTable t = factor_table_from_shards(set);
    if (o.format == "json") return json_text(factor_table_json(t));
    if (o.format == "csv") return format_factor_table(t, FactorFormat::Csv);
    if (o.format == "markdown") return format_factor_table(t, FactorFormat::Markdown);
    if (o.format == "yarn") return yarn_csv_string(yarn_layout(t));
    return format_factor_table(t, FactorFormat::Table);
}

std::string merged_passkey(const ShardSet& set, const MergeOptions& o) {
    const PasskeyGrid g = passkey_grid_from_shards(set);
    if (o.format == "csv") return passkey_grid_csv(g);
    if (o.format != "table")
        throw Error(ErrorKind::BadArgument, "--format " + o.format, "a passkey grid merges to table or csv");
    return passkey_grid_table(g, set.sweep.value("method", ""), rows_device(set));
}

int run_merge(const MergeOptions& o) {
    const ShardSet set = load_shard_dir(o.dir);
    if (o.format == "markdown" && set.kind != "table")
        throw Error(ErrorKind::BadArgument, "--format markdown", "is for `table` sweeps; this is '" + set.kind + "'");
    info("merge: " + std::to_string(set.results.size()) + " cells of the '" + set.kind + "' sweep from " +
         std::to_string(set.files.size()) + " shard files (extrapolab " + set.version + ")");
    const std::string device = rows_device(set);
    if (device.find(" + ") != std::string::npos) info("merge: warning: the shards ran on different devices: " + device);
    std::string text;
    try {
        if (set.kind == "eval") text = merged_eval(set, o);
        else if (set.kind == "table") text = merged_table(set, o);
        else if (set.kind == "passkey") text = merged_passkey(set, o);
        else throw Error(ErrorKind::Unsupported, o.dir, "shards of a '" + set.kind + "' sweep cannot be merged");
    } catch (const nlohmann::json::exception& e) {  // a hand-edited row
        throw Error(ErrorKind::BadFile, o.dir, std::string("malformed shard row: ") + e.what());
    }
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_merge_command(CLI::App& root) {
    auto o = std::make_shared<MergeOptions>();
    CLI::App* app = root.add_subcommand("merge", "Join the shard files of a sharded eval / table / passkey sweep (--shard i/n)");
    app->add_option("dir", o->dir, "folder given as --shard-dir to the shards")->required();
    app->add_option("--format", o->format, "output: table, csv, json, markdown (table sweeps), yarn (YaRN-layout CSV)")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "csv", "json", "markdown", "yarn"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_flag("--per-position", o->per_position, "json of an eval sweep: include the mean loss per window position");
    return {app, [o] { return run_merge(*o); }};
}

}  // namespace xl::cli
