// `extrapolab table`: perplexity of every position method at 1x, 2x, 4x, 8x the model's training
// length, each method configured for the factor (core/posenc/catalogue.hpp, core/metrics/factor_table.hpp).
// Same model / text / protocol options as `eval`; every cell's spec is printed for reproduction.
#include <cstdlib>
#include <memory>
#include <sstream>

#include "app/cli/commands.hpp"
#include "app/cli/eval_inputs.hpp"
#include "app/cli/shard_cli.hpp"
#include "core/error.hpp"
#include "core/metrics/eval_shard.hpp"
#include "core/metrics/factor_table.hpp"
#include "core/metrics/protocol.hpp"
#include "core/posenc/catalogue.hpp"
#include "core/posenc/method_args.hpp"

namespace xl::cli {

namespace {

struct TableOptions {
    EvalInputOptions in;
    std::string factors = "1,2,4,8", protocol = "all", format = "table", out;
    int windows = 0;
    ShardOptions shard;
};

// "1,2,4,8" -> {1, 2, 4, 8}; each a number >= 1. Error(BadArgument) naming --factors otherwise.
std::vector<double> parse_factors(const std::string& text) {
    std::vector<double> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        double v = 0;
        if (!parse_number(item, v) || !(v >= 1) || v > 1024)
            throw Error(ErrorKind::BadArgument, "--factors " + text, "expected comma-separated numbers in [1, 1024]");
        out.push_back(v);
    }
    if (out.empty()) throw Error(ErrorKind::BadArgument, "--factors", "empty list");
    return out;
}

int run_table(const TableOptions& o) {
    check_windows(o.windows);
    const Protocol protocol = parse_protocol(o.protocol);
    const std::vector<double> factors = parse_factors(o.factors);

    if (o.shard.active()) (void)check_shard_options(o.shard);

    const EvalInputs in = load_eval_inputs(o.in);
    const ModelConfig& c = in.lm.model.config;
    const FactorTablePlan plan = plan_factor_table(factors, *in.forward, c, in.stream, protocol, o.windows);
    const auto progress = stderr_progress([&](int cell) {
        const FactorCellPlan& p = plan.cells[size_t(cell)];
        return plan.skeleton.rows[size_t(p.row)].label + " " + format_number(factors[size_t(p.factor)]) + "x L=" +
               std::to_string(plan.skeleton.lengths[size_t(p.factor)]);
    });
    if (o.shard.active()) {
        run_shard(o.shard, "table", factor_sweep_json(plan, eval_info(in)), int(plan.cells.size()),
                  factor_shard_csv(), [&](int cell) {
                      return factor_cell_json(plan, cell, run_factor_cell(plan, cell, *in.forward, c, in.stream, progress),
                                              in.forward->device_name());
                  });
        return 0;
    }
    const FactorTable t =
        run_factor_table(factors, *in.forward, c, in.stream, protocol, o.windows, eval_info(in), progress);

    std::string text;
    if (o.format == "json") text = json_text(factor_table_json(t));
    else if (o.format == "csv") text = format_factor_table(t, FactorFormat::Csv);
    else if (o.format == "markdown") text = format_factor_table(t, FactorFormat::Markdown);
    else text = format_factor_table(t, FactorFormat::Table);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_table_command(CLI::App& root) {
    auto o = std::make_shared<TableOptions>();
    CLI::App* app = root.add_subcommand(
        "table", "Perplexity of every position method at multiples of the training length, each configured for it");
    add_eval_input_options(app, o->in);
    app->add_option("--factors", o->factors, "comma-separated length factors (>= 1) of the training length")
        ->capture_default_str();
    add_protocol_options(app, o->windows, o->protocol);
    app->add_option("--format", o->format, "output format")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "json", "csv", "markdown"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    add_shard_options(app, o->shard);
    return {app, [o] { return run_table(*o); }};
}

}  // namespace xl::cli
