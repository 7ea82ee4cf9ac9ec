// `extrapolab posvec`: positional vectors (Dong et al., 2024) of a model under each position
// method: the mean residual stream per position over windows of the text, per layer, its norm and
// principal components (core/metrics/positional_vectors.hpp).
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>

#include "app/cli/commands.hpp"
#include "app/cli/eval_inputs.hpp"
#include "app/cli/posvec_format.hpp"
#include "core/error.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct PosvecOptions {
    EvalInputOptions in;
    std::vector<std::string> methods;
    std::string layers, format = "table", out;
    int length = 0, windows = 8, components = 3;
};

// "0,5,29" -> {0, 5, 29} (layers count from 0, unlike parse_int_list's positive lengths).
std::vector<int> parse_layers(const std::string& text) {
    std::vector<int> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        char* end = nullptr;
        const long v = std::strtol(item.c_str(), &end, 10);
        if (item.empty() || *end != '\0' || v < 0 || v > 100000)
            throw Error(ErrorKind::BadArgument, "--layers " + text, "expected comma-separated layer numbers (0-based)");
        out.push_back(int(v));
        start = comma + 1;
    }
    return out;
}

int run_posvec(const PosvecOptions& o) {
    if (o.length != 0 && o.length < 2)
        throw Error(ErrorKind::BadArgument, "--length " + std::to_string(o.length), "must be >= 2");
    if (o.windows < 1) throw Error(ErrorKind::BadArgument, "--windows " + std::to_string(o.windows), "must be >= 1");
    if (o.components < 1 || o.components > 8)
        throw Error(ErrorKind::BadArgument, "--components " + std::to_string(o.components), "must be in 1..8");
    const std::vector<MethodSpec> methods = parse_method_list(o.methods);
    const std::vector<int> layers = o.layers.empty() ? std::vector<int>{} : parse_layers(o.layers);
    EvalInputs in = load_eval_inputs(o.in);
    const ModelConfig& cfg = in.lm.model.config;
    for (int l : layers)
        if (l < 0 || l >= cfg.n_layers)
            throw Error(ErrorKind::BadArgument, "--layers " + o.layers,
                        "layer " + std::to_string(l) + " outside the model's layers 0.." + std::to_string(cfg.n_layers - 1));
    const int train = cfg.train_context_length > 0 ? cfg.train_context_length : cfg.file_context_length;
    PositionalVectorOptions po;
    po.length = o.length > 0 ? o.length : train;
    if (po.length < 2) throw Error(ErrorKind::BadArgument, "--length", "the model states no training length: give one");
    po.windows = o.windows;
    po.layers = layers;
    po.components = o.components;
    po.train_length = train;
    if (int64_t(in.stream.tokens.size()) < po.length)
        throw Error(ErrorKind::BadArgument, in.stream.path,
                    "has " + std::to_string(in.stream.tokens.size()) + " tokens, fewer than one window of " +
                        std::to_string(po.length));
    std::vector<PositionPlan> plans;
    for (const MethodSpec& m : methods) plans.push_back(make_plan(m, cfg, po.length));  // bad specs fail first
    std::vector<PosvecRun> runs;
    using Clock = std::chrono::steady_clock;
    for (size_t i = 0; i < methods.size(); ++i) {
        PosvecRun r;
        r.method = methods[i].canonical();
        r.convention = plans[i].convention;
        const auto t0 = Clock::now();
        const MeanHidden m = mean_hidden_states(*in.forward, cfg, in.stream.tokens, in.lm.model.tokenizer->bos(), plans[i], po,
                                                [&](int w, int total) {
                                                    info(r.method + ": window " + std::to_string(w) + "/" + std::to_string(total));
                                                });
        const auto t1 = Clock::now();
        r.pv = analyse_positional_vectors(m, po);
        r.forward_seconds = std::chrono::duration<double>(t1 - t0).count();
        r.analysis_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
        runs.push_back(std::move(r));
    }
    const PosvecHeader h{cfg.name, in.lm.path, in.stream.path, in.forward->device_name(), int(in.stream.tokens.size())};
    std::string text;
    if (o.format == "json") text = posvec_json(h, runs);
    else if (o.format == "csv") text = posvec_csv(runs);
    else text = posvec_table(h, runs);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_posvec_command(CLI::App& root) {
    auto o = std::make_shared<PosvecOptions>();
    CLI::App* app = root.add_subcommand("posvec", "Positional vectors: mean hidden state per position over windows, "
                                                  "per layer, with norms and principal components");
    add_eval_input_options(app, o->in);
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated (default none)");
    app->add_option("--length", o->length, "window length in tokens (default: the model's training length)");
    app->add_option("--windows", o->windows, "windows averaged (the first W of the text)")->capture_default_str();
    app->add_option("--layers", o->layers, "comma-separated layers (default: all)");
    app->add_option("--components", o->components, "principal components (1..8)")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    return {app, [o] { return run_posvec(*o); }};
}

}  // namespace xl::cli
