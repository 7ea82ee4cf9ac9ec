// `extrapolab needle`: needle in a haystack, teacher-forced, per position method: accuracy and the
// answer's log-probability over tasks × lengths × depths, and every head's retrieval score and
// attention on the needle (core/metrics/needle.hpp).
#include <memory>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/needle_format.hpp"
#include "core/error.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct NeedleCliOptions {
    std::string model, tokenizer, lengths, depths = "0.1,0.5,0.9", tasks = "passkey,sentence";
    std::vector<std::string> methods;
    std::string format = "table", out;
    int device = -1, train_ctx = 0;
    uint64_t seed = 1;
    bool cpu = false;
};

int run_needle(const NeedleCliOptions& o) {
    const std::vector<double> depths = parse_fraction_list(o.depths, "--depths");
    const std::vector<NeedleTask> tasks = parse_needle_tasks(o.tasks);
    const std::vector<MethodSpec> methods = parse_method_list(o.methods);
    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    const ModelConfig& cfg = lm.model.config;
    const int train = cfg.train_context_length > 0 ? cfg.train_context_length : cfg.file_context_length;
    std::vector<int> lengths;
    if (!o.lengths.empty()) lengths = parse_int_list(o.lengths, "--lengths");
    else if (train > 0) lengths = {train};
    else throw Error(ErrorKind::BadArgument, "--lengths", "the model states no training length: give the lengths");
    std::vector<PositionPlan> plans;
    for (const MethodSpec& m : methods) plans.push_back(make_plan(m, cfg, lengths.front()));  // bad specs fail first
    std::unique_ptr<Forward> fwd = make_backend(lm.model, o.cpu, o.device);
    info("device: " + fwd->device_name());
    NeedleOptions no;
    no.tasks = tasks;
    no.seed = o.seed;
    std::vector<NeedleRun> runs;
    for (size_t i = 0; i < methods.size(); ++i) {
        NeedleRun r;
        r.method = methods[i].canonical();
        r.convention = plans[i].convention;
        r.grid = run_needle_grid(*fwd, cfg, *lm.model.tokenizer, lengths, depths, no,
                                 [&](int n) { return make_plan(methods[i], cfg, n); },
                                 [&](int done, int total) {
                                     info(r.method + ": cell " + std::to_string(done) + "/" + std::to_string(total));
                                 });
        runs.push_back(std::move(r));
    }
    const NeedleHeader h{cfg.name, lm.path, fwd->device_name(), train};
    std::string text;
    if (o.format == "json") text = needle_json(h, runs);
    else if (o.format == "csv") text = needle_csv(runs);
    else text = needle_table(h, runs);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_needle_command(CLI::App& root) {
    auto o = std::make_shared<NeedleCliOptions>();
    CLI::App* app = root.add_subcommand("needle", "Needle in a haystack, teacher-forced: accuracy, the answer's "
                                                  "log-probability and every head's retrieval score");
    app->add_option("--model", o->model, "model file: GGUF, llama2.c .bin, .pth (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated (default none)");
    app->add_option("--lengths", o->lengths, "comma-separated prompt lengths in tokens (default: the training length)");
    app->add_option("--depths", o->depths, "comma-separated needle depths in [0, 1]")->capture_default_str();
    app->add_option("--tasks", o->tasks, "needles: passkey, sentence (comma-separated)")->capture_default_str();
    app->add_option("--seed", o->seed, "seed of the passkey")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "use the scalar CPU reference instead of Vulkan");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    return {app, [o] { return run_needle(*o); }};
}

}  // namespace xl::cli
