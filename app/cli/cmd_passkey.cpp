// `extrapolab passkey`: passkey retrieval accuracy (the Position Interpolation / Landmark Attention
// prompt, core/metrics/passkey.hpp) over prompt lengths × key depths for one position method.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/shard_cli.hpp"
#include "core/error.hpp"
#include "core/metrics/passkey.hpp"
#include "core/metrics/passkey_shard.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct PasskeyCliOptions {
    std::string model, tokenizer, method = "none", lengths = "256,512,1024", depths = "0,0.5,1";
    std::string format = "table", out;
    int trials = 1, max_new_tokens = 8, device = -1, train_ctx = 0;
    uint64_t seed = 1;
    bool cpu = false;
    ShardOptions shard;
};

int run_passkey(const PasskeyCliOptions& o) {
    if (o.trials < 1) throw Error(ErrorKind::BadArgument, "--trials " + std::to_string(o.trials), "must be >= 1");
    if (o.max_new_tokens < 1)
        throw Error(ErrorKind::BadArgument, "--max-new-tokens " + std::to_string(o.max_new_tokens), "must be >= 1");
    const std::vector<int> lengths = parse_int_list(o.lengths, "--lengths");
    const std::vector<double> depths = parse_fraction_list(o.depths, "--depths");
    const MethodSpec method = parse_method_spec(o.method);
    if (o.shard.active()) (void)check_shard_options(o.shard);

    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    const ModelConfig& cfg = lm.model.config;
    (void)make_plan(method, cfg, lengths.front());  // a spec the model cannot use fails before any forward pass
    std::unique_ptr<Forward> fwd = make_backend(lm.model, o.cpu, o.device);
    info("device: " + fwd->device_name());

    PasskeyOptions po;
    po.trials = o.trials;
    po.max_new_tokens = o.max_new_tokens;
    po.seed = o.seed;
    const auto plans = [&](int n) { return make_plan(method, cfg, n); };
    if (o.shard.active()) {
        const PasskeySweep sweep{lm.path, cfg.name, lm.model.tokenizer->kind(), method.canonical(), lengths, depths, po};
        const std::vector<int> keys = passkey_keys(po);
        run_shard(o.shard, "passkey", passkey_sweep_json(sweep), int(lengths.size() * depths.size()),
                  passkey_shard_csv(), [&](int cell) {
                      const int len = lengths[size_t(cell) / depths.size()];
                      const double depth = depths[size_t(cell) % depths.size()];
                      info("passkey cell " + std::to_string(cell) + ": L=" + std::to_string(len) + " depth " +
                           std::to_string(depth));
                      return passkey_cell_json(run_passkey_cell(*fwd, *lm.model.tokenizer, len, depth, keys, po, plans),
                                               fwd->device_name());
                  });
        return 0;
    }
    const PasskeyGrid g = run_passkey_grid(*fwd, *lm.model.tokenizer, lengths, depths, po, plans);
    emit_output(o.format == "csv" ? passkey_grid_csv(g) : passkey_grid_table(g, method.canonical(), fwd->device_name()),
                o.out);
    return 0;
}

}  // namespace

Command add_passkey_command(CLI::App& root) {
    auto o = std::make_shared<PasskeyCliOptions>();
    CLI::App* app = root.add_subcommand("passkey", "Passkey retrieval accuracy over prompt lengths and key depths");
    app->add_option("--model", o->model, "model file: GGUF, llama2.c .bin, .pth (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--method", o->method, "position method spec, e.g. none, linear:s=4, yarn:s=4")
        ->capture_default_str();
    app->add_option("--lengths", o->lengths, "comma-separated prompt lengths in tokens")->capture_default_str();
    app->add_option("--depths", o->depths, "comma-separated key depths in [0, 1]")->capture_default_str();
    app->add_option("--trials", o->trials, "keys per (length, depth) cell")->capture_default_str();
    app->add_option("--max-new-tokens", o->max_new_tokens, "greedy tokens generated per answer")
        ->capture_default_str();
    app->add_option("--seed", o->seed, "seed of the keys")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "use the scalar CPU reference instead of Vulkan");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    add_shard_options(app, o->shard);
    return {app, [o] { return run_passkey(*o); }};
}

}  // namespace xl::cli
