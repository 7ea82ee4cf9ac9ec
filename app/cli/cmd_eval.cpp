// `extrapolab eval`: perplexity of a model on a text for each method × length, under a named
// protocol (core/metrics). Table for people, JSON/CSV for machines; progress on stderr.
#include <memory>

#include "app/cli/commands.hpp"
#include "app/cli/eval_inputs.hpp"
#include "app/cli/shard_cli.hpp"
#include "core/error.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/eval_shard.hpp"
#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/protocol.hpp"

namespace xl::cli {

namespace {

struct EvalOptions {
    EvalInputOptions in;
    std::string lengths = "256,512,1024,2048,4096", protocol = "all", format = "table", out;
    std::vector<std::string> methods;
    int windows = 0;
    bool per_position = false;
    ShardOptions shard;
};

int run_eval(const EvalOptions& o) {
    // Parse everything cheap first so that a typo fails before loading anything.
    check_windows(o.windows);
    const Protocol protocol = parse_protocol(o.protocol);
    const std::vector<int> lengths = parse_int_list(o.lengths, "--lengths");
    const std::vector<MethodSpec> methods = parse_method_list(o.methods);

    if (o.shard.active()) (void)check_shard_options(o.shard);

    const EvalInputs in = load_eval_inputs(o.in);
    EvalSweep sweep{methods, lengths, protocol, o.windows};
    check_eval_sweep(sweep, *in.forward, in.stream);
    const ModelConfig& c = in.lm.model.config;
    // Build each plan once up front: a spec the model cannot use fails before any forward pass.
    for (const auto& m : methods) (void)make_plan(m, c, lengths.front());

    const auto progress = stderr_progress([&](int row) {
        return methods[size_t(row) / lengths.size()].canonical() + " L=" +
               std::to_string(lengths[size_t(row) % lengths.size()]);
    });
    if (o.shard.active()) {
        run_shard(o.shard, "eval", eval_sweep_json(sweep, eval_info(in)), eval_cell_count(sweep), eval_shard_csv(),
                  [&](int cell) {
                      return eval_row_json(run_eval_cell(sweep, cell, *in.forward, c, in.stream, progress),
                                           in.forward->device_name());
                  });
        return 0;
    }
    const EvalTable table = run_eval_sweep(sweep, *in.forward, c, in.stream, eval_info(in), progress);

    std::string text;
    if (o.format == "json") text = json_text(eval_to_json(table, o.per_position));
    else if (o.format == "csv") text = format_eval_csv(table);
    else text = format_eval_table(table);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_eval_command(CLI::App& root) {
    auto o = std::make_shared<EvalOptions>();
    CLI::App* app = root.add_subcommand("eval", "Perplexity of a model on a text for each position method and length");
    add_eval_input_options(app, o->in);
    std::string names;
    for (const auto& m : list_methods()) names += (names.empty() ? "" : ", ") + m.first;
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated, e.g. none, "
                                            "linear:s=4, ntk:a=4, dynntk:s=4, yarn:s=4,orig=512, abf:base=40000, "
                                            "logn; methods: " + names);
    app->add_option("--lengths", o->lengths, "comma-separated window lengths in tokens")->capture_default_str();
    add_protocol_options(app, o->windows, o->protocol);
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_flag("--per-position", o->per_position, "json: include the mean loss per window position");
    add_shard_options(app, o->shard);
    return {app, [o] { return run_eval(*o); }};
}

}  // namespace xl::cli
