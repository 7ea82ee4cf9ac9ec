#include "app/cli/eval_inputs.hpp"

#include <cstdio>
#include <unistd.h>

#include "core/error.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

void add_eval_input_options(CLI::App* app, EvalInputOptions& o) {
    app->add_option("--model", o.model, "model file: GGUF, llama2.c .bin, .pth (default: bundled stories260K)");
    app->add_option("--tokenizer", o.tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--text", o.text, "UTF-8 text; documents separated by <|endoftext|> lines, else blank lines "
                                      "(default: bundled TinyStories sample)");
    app->add_option("--doc-prefix", o.doc_prefix, "text put before every document, after BOS "
                                                  "(the ALiBi model was trained on ' STARTSTORY ' + story)");
    app->add_flag("--flatten-newlines", o.flatten_newlines, "replace newlines inside documents by spaces");
    app->add_option("--device", o.device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o.cpu, "use the scalar CPU reference instead of Vulkan");
    app->add_option("--train-ctx", o.train_ctx, "override the model's training context length");
}

void add_protocol_options(CLI::App* app, int& windows, std::string& protocol) {
    app->add_option("--windows", windows, "use only the first W windows of each length (0 = all)");
    app->add_option("--protocol", protocol, "scoring protocol: all | half | sliding:S")->capture_default_str();
}

void check_windows(int windows) {
    if (windows < 0) throw Error(ErrorKind::BadArgument, "--windows " + std::to_string(windows), "must be >= 0");
}

EvalInputs load_eval_inputs(const EvalInputOptions& o) {
    if (o.train_ctx < 0)
        throw Error(ErrorKind::BadArgument, "--train-ctx " + std::to_string(o.train_ctx), "must be > 0");
    EvalInputs in;
    in.lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    std::string text_path = o.text;
    if (text_path.empty()) {
        text_path = find_assets().text();
        if (text_path.empty()) throw Error(ErrorKind::BadFile, "assets", "bundled text not found (pass --text)");
    }
    in.stream = load_token_stream(text_path, *in.lm.model.tokenizer, DocumentFormat{o.doc_prefix, o.flatten_newlines});
    in.forward = make_backend(in.lm.model, o.cpu, o.device);
    info("device: " + in.forward->device_name());
    return in;
}

EvalInfo eval_info(const EvalInputs& in) {
    const ModelConfig& c = in.lm.model.config;
    return EvalInfo{in.lm.path, c.name, c.format, c.train_context_length, in.stream.path,
                    int64_t(in.stream.tokens.size()), in.stream.documents, to_string(in.stream.separator),
                    in.stream.encoding, in.lm.model.tokenizer->kind(), in.forward->device_name()};
}

SweepProgress stderr_progress(std::function<std::string(int row)> label) {
    const bool live = isatty(STDERR_FILENO);  // a terminal gets a live window counter
    return [live, label = std::move(label)](int row, int rows, int window, int windows) {
        if (window != windows && !live) return;
        std::fprintf(stderr, "%s[%d/%d] %s: window %d/%d%s", live ? "\r" : "", row + 1, rows, label(row).c_str(),
                     window, windows, window == windows ? "\n" : "");
    };
}

}  // namespace xl::cli
