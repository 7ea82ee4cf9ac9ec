// `extrapolab generate`: continue a prompt (or BOS) greedily, or by sampling with a temperature
// and seed, under a position method. The text goes to stdout; model/device/method to stderr.
#include <algorithm>
#include <cstdio>
#include <memory>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/model/tokenizer.hpp"
#include "core/ref/generate.hpp"

namespace xl::cli {

namespace {

struct GenerateOptions {
    std::string model, tokenizer, prompt, method = "none";
    int tokens = 256, device = -1, train_ctx = 0, show_top = 0;
    float temperature = 0.f;
    uint64_t seed = 1;
    bool cpu = false;
};

// One stderr line per step: the k most likely next tokens with their logits, the chosen one marked,
// and the margin between the first two (a near-tie can flip between implementations).
void print_candidates(const Tokenizer& tok, const std::vector<int>& context, const std::vector<float>& logits, int chosen, int k) {
    std::vector<int> order(logits.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
    k = std::min<int>(k, int(order.size()));
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](int a, int b) { return logits[size_t(a)] > logits[size_t(b)]; });
    std::string line = "step " + std::to_string(context.size()) + ":";
    for (int i = 0; i < k; ++i) {
        const int t = order[size_t(i)];
        char value[32];
        std::snprintf(value, sizeof value, "%.4f", double(logits[size_t(t)]));
        line += std::string(i ? " |" : "") + (t == chosen ? " *" : " ") + "'" + tok.decode_token(context.back(), t) + "' " + value;
    }
    if (k >= 2) {
        char margin[48];
        std::snprintf(margin, sizeof margin, "  (margin %.4f)", double(logits[size_t(order[0])] - logits[size_t(order[1])]));
        line += margin;
    }
    info(line);
}

int run_generate(const GenerateOptions& o) {
    if (o.tokens < 0) throw Error(ErrorKind::BadArgument, "--tokens " + std::to_string(o.tokens), "must be >= 0");
    if (o.temperature < 0.f) throw Error(ErrorKind::BadArgument, "--temperature", "must be >= 0");
    const MethodSpec spec = parse_method_spec(o.method);
    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    const Tokenizer& tok = *lm.model.tokenizer;
    std::vector<int> prompt = o.prompt.empty() ? std::vector<int>{} : tok.encode(o.prompt, tok.bos() >= 0);
    if (prompt.empty()) {
        if (tok.bos() < 0) throw Error(ErrorKind::BadArgument, "--prompt", "the vocabulary has no BOS: give a prompt");
        prompt.push_back(tok.bos());
    }
    std::unique_ptr<Forward> fwd = make_backend(lm.model, o.cpu, o.device);
    info("model: " + lm.model.config.name + " (" + lm.path + ")");
    info("device: " + fwd->device_name());
    info("method: " + spec.canonical() + (o.temperature > 0 ? ", temperature " + std::to_string(o.temperature) +
                                                                  ", seed " + std::to_string(o.seed)
                                                            : ", greedy"));
    (void)make_plan(spec, lm.model.config, int(prompt.size()));  // a bad spec fails before generating
    auto plan_for = [&](int n) { return make_plan(spec, lm.model.config, n); };
    StepObserver observe;
    if (o.show_top > 0)
        observe = [&](const std::vector<int>& context, const std::vector<float>& logits, int chosen) {
            print_candidates(tok, context, logits, chosen, o.show_top);
        };
    const std::vector<int> ids = generate(*fwd, lm.model, prompt, o.tokens, o.temperature, o.seed, plan_for, observe);
    // Decode everything after a leading BOS, each token continuing its predecessor.
    std::string text;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i == 0 && ids[0] == tok.bos()) continue;
        text += tok.decode_token(i == 0 ? -1 : ids[i - 1], ids[i]);
    }
    emit_output(text + "\n", "");
    return 0;
}

}  // namespace

Command add_generate_command(CLI::App& root) {
    auto o = std::make_shared<GenerateOptions>();
    CLI::App* app = root.add_subcommand("generate", "Generate text from a prompt (greedy unless --temperature)");
    app->add_option("--model", o->model, "model file (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--prompt", o->prompt, "prompt text (default: BOS only)");
    app->add_option("--tokens", o->tokens, "new tokens to generate at most")->capture_default_str();
    app->add_option("--temperature", o->temperature, "sampling temperature (0 = greedy)")->capture_default_str();
    app->add_option("--seed", o->seed, "random seed for sampling")->capture_default_str();
    app->add_option("--method", o->method, "position method spec")->capture_default_str();
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "use the scalar CPU reference instead of Vulkan");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    app->add_option("--show-top", o->show_top, "print the K most likely next tokens and the top-2 margin of every step (stderr)");
    return {app, [o] { return run_generate(*o); }};
}

}  // namespace xl::cli
