// What `eval`, `table` and `nbce` share: the model / text / backend options, loading them in one
// step, the EvalInfo that names them in every output, and the stderr progress line.
//
//   auto o = std::make_shared<EvalInputOptions>();
//   add_eval_input_options(app, *o);                 // --model --tokenizer --text --doc-prefix ...
//   EvalInputs in = load_eval_inputs(*o);            // model, token stream, backend ("device: ..." on stderr)
//   EvalInfo ei = eval_info(in);
#pragma once
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "app/cli/cli_common.hpp"
#include "core/metrics/eval_sweep.hpp"
#include "core/metrics/text_stream.hpp"

namespace xl::cli {

struct EvalInputOptions {
    std::string model, tokenizer, text, doc_prefix;
    int device = -1, train_ctx = 0;
    bool cpu = false, flatten_newlines = false;
};

// Adds --model --tokenizer --text --doc-prefix --flatten-newlines --device --cpu --train-ctx.
void add_eval_input_options(CLI::App* app, EvalInputOptions& o);
// Adds --windows and --protocol (perplexity protocols, core/metrics/protocol.hpp).
void add_protocol_options(CLI::App* app, int& windows, std::string& protocol);

struct EvalInputs {
    LoadedModel lm;
    TokenStream stream;
    std::unique_ptr<Forward> forward;
};

// Loads the model (bundled stories260K by default), the text (bundled TinyStories sample by
// default) and the backend; prints the device on stderr. Error(BadArgument) on --train-ctx < 0.
EvalInputs load_eval_inputs(const EvalInputOptions& o);
// --windows must be >= 0: Error(BadArgument) naming it.
void check_windows(int windows);

EvalInfo eval_info(const EvalInputs& in);

// Progress on stderr: a live counter on a terminal, one line per finished row otherwise.
// `label(row)` names the row ("yarn:s=4 L=2048").
SweepProgress stderr_progress(std::function<std::string(int row)> label);

}  // namespace xl::cli
