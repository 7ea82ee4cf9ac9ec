// `extrapolab eval`: perplexity of a model on a text for each method × length, under a named
// protocol (core/metrics). Table for people, JSON/CSV for machines; progress on stderr.
#include <cstdio>
#include <memory>
#include <unistd.h>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/protocol.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct EvalOptions {
    std::string model, tokenizer, text, lengths = "256,512,1024,2048,4096", protocol = "all";
    std::string format = "table", out, doc_prefix;
    std::vector<std::string> methods;
    int windows = 0, device = -1, train_ctx = 0;
    bool cpu = false, per_position = false, flatten_newlines = false;
};

int run_eval(const EvalOptions& o) {
    // Parse everything cheap first so that a typo fails before loading anything.
    if (o.windows < 0) throw Error(ErrorKind::BadArgument, "--windows " + std::to_string(o.windows), "must be >= 0");
    if (o.train_ctx < 0)
        throw Error(ErrorKind::BadArgument, "--train-ctx " + std::to_string(o.train_ctx), "must be > 0");
    const Protocol protocol = parse_protocol(o.protocol);
    const std::vector<int> lengths = parse_int_list(o.lengths, "--lengths");
    const std::vector<MethodSpec> methods = parse_method_list(o.methods);

    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    std::string text_path = o.text;
    if (text_path.empty()) {
        text_path = find_assets().text();
        if (text_path.empty()) throw Error(ErrorKind::BadFile, "assets", "bundled text not found (pass --text)");
    }
    const TokenStream stream =
        load_token_stream(text_path, *lm.model.tokenizer, DocumentFormat{o.doc_prefix, o.flatten_newlines});
    std::unique_ptr<Forward> fwd = make_backend(lm.model, o.cpu, o.device);
    info("device: " + fwd->device_name());

    EvalSweep sweep{methods, lengths, protocol, o.windows};
    check_eval_sweep(sweep, *fwd, stream);
    // Build each plan once up front: a spec the model cannot use fails before any forward pass.
    for (const auto& m : methods) (void)make_plan(m, lm.model.config, lengths.front());

    const ModelConfig& c = lm.model.config;
    EvalInfo ei{lm.path, c.name, c.format, c.train_context_length, stream.path, int64_t(stream.tokens.size()),
                stream.documents, to_string(stream.separator), stream.encoding, lm.model.tokenizer->kind(),
                fwd->device_name()};
    const bool live = isatty(STDERR_FILENO);  // a terminal gets a live window counter
    auto progress = [&](int row, int rows, int window, int windows) {
        if (window != windows && !live) return;
        const MethodSpec& m = methods[size_t(row) / lengths.size()];
        std::fprintf(stderr, "%s[%d/%d] %s L=%d: window %d/%d%s", live ? "\r" : "", row + 1, rows,
                     m.canonical().c_str(), lengths[size_t(row) % lengths.size()], window, windows,
                     window == windows ? "\n" : "");
    };
    const EvalTable table = run_eval_sweep(sweep, *fwd, c, stream, ei, progress);

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
    app->add_option("--model", o->model, "model file: GGUF, llama2.c .bin, .pth (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--text", o->text, "UTF-8 text; documents separated by <|endoftext|> lines, else blank lines "
                                       "(default: bundled TinyStories sample)");
    app->add_option("--doc-prefix", o->doc_prefix, "text put before every document, after BOS "
                                                   "(the ALiBi model was trained on ' STARTSTORY ' + story)");
    app->add_flag("--flatten-newlines", o->flatten_newlines, "replace newlines inside documents by spaces");
    std::string names;
    for (const auto& m : list_methods()) names += (names.empty() ? "" : ", ") + m.first;
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated, e.g. none, "
                                            "linear:s=4, ntk:a=4, dynntk:s=4, yarn:s=4,orig=512, abf:base=40000, "
                                            "logn; methods: " + names);
    app->add_option("--lengths", o->lengths, "comma-separated window lengths in tokens")->capture_default_str();
    app->add_option("--windows", o->windows, "use only the first W windows of each length (0 = all)");
    app->add_option("--protocol", o->protocol, "scoring protocol: all | half | sliding:S")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_flag("--per-position", o->per_position, "json: include the mean loss per window position");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "use the scalar CPU reference instead of Vulkan");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    return {app, [o] { return run_eval(*o); }};
}

}  // namespace xl::cli
