// `extrapolab logits`: the distribution of the attention logits per distance bucket and layer,
// inside and beyond the training length, under each position method, from one forward pass per
// method that counts them (core/metrics/logit_spread.hpp).
#include <chrono>
#include <memory>

#include "app/cli/commands.hpp"
#include "app/cli/eval_inputs.hpp"
#include "app/cli/logits_format.hpp"
#include "core/error.hpp"

namespace xl::cli {

namespace {

struct LogitsOptions {
    EvalInputOptions in;
    std::vector<std::string> methods;
    std::string format = "table", out;
    int length = 0;
};

int run_logits(const LogitsOptions& o) {
    if (o.length != 0 && o.length < 2)
        throw Error(ErrorKind::BadArgument, "--length " + std::to_string(o.length), "must be >= 2");
    const std::vector<MethodSpec> methods = parse_method_list(o.methods);
    EvalInputs in = load_eval_inputs(o.in);
    const ModelConfig& cfg = in.lm.model.config;
    const int train = cfg.train_context_length > 0 ? cfg.train_context_length : cfg.file_context_length;
    const int n = o.length > 0 ? o.length : train;
    if (n < 2) throw Error(ErrorKind::BadArgument, "--length", "the model states no training length: give one");
    if (int64_t(in.stream.tokens.size()) < n)
        throw Error(ErrorKind::BadArgument, in.stream.path,
                    "has " + std::to_string(in.stream.tokens.size()) + " tokens, fewer than " + std::to_string(n));
    const std::vector<int> tokens(in.stream.tokens.begin(), in.stream.tokens.begin() + n);
    std::vector<PositionPlan> plans;
    for (const MethodSpec& m : methods) plans.push_back(make_plan(m, cfg, n));  // bad specs fail first
    std::vector<LogitsRun> runs;
    for (size_t i = 0; i < methods.size(); ++i) {
        LogitsRun r;
        r.method = methods[i].canonical();
        r.convention = plans[i].convention;
        info(r.method + ": counting attention logits over " + std::to_string(n) + " tokens");
        const auto t0 = std::chrono::steady_clock::now();
        const AttentionStats st = logit_histogram_pass(*in.forward, tokens, plans[i]);
        r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        r.spread = logit_spread(st, n, train);
        runs.push_back(std::move(r));
    }
    const LogitsHeader h{cfg.name, in.lm.path, in.stream.path, in.forward->device_name(), int(in.stream.tokens.size())};
    std::string text;
    if (o.format == "json") text = logits_json(h, runs);
    else if (o.format == "csv") text = logits_csv(runs);
    else text = logits_table(h, runs);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_logits_command(CLI::App& root) {
    auto o = std::make_shared<LogitsOptions>();
    CLI::App* app = root.add_subcommand("logits", "Attention logits per distance bucket and layer, inside and beyond "
                                                  "the training length (quantiles from one counting pass per method)");
    add_eval_input_options(app, o->in);
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated (default none)");
    app->add_option("--length", o->length, "tokens of the pass (default: the model's training length)");
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    return {app, [o] { return run_logits(*o); }};
}

}  // namespace xl::cli
