// `extrapolab evict`: perplexity against KV-cache budget for eviction policies (window,
// StreamingLLM sinks, H2O, SnapKV) × position bookkeeping (reassigned / original) × position
// method, simulated chunk by chunk on the Vulkan path (core/forward/vulkan_eviction.cpp; device
// memory bounds the budget) or with --cpu on the scalar CPU reference (core/ref/kv_eviction.hpp,
// capped at kCpuMaxTokens: its time grows with tokens × budget), and optionally the figures:
// perplexity vs budget per method and one kept-token map (at the figure's grid, never N×N).
#include <algorithm>
#include <memory>
#include <sstream>
#include <thread>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "app/cli/evict_format.hpp"
#include "core/error.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/tokenizer.hpp"
#include "core/session/figures_evict.hpp"
#include "core/session/headless_figures.hpp"

namespace xl::cli {

namespace {

constexpr int kCpuMaxTokens = 4096;  // the CPU reference's length cap

struct EvictOptions {
    std::string model, tokenizer, text, format = "table", out, figures;
    std::vector<std::string> methods;
    std::string policies = "window,streaming,h2o,snapkv", positions = "reassigned,original", budgets = "32,64,128";
    std::string map;                 // "policy,positions,budget" of the kept-token map
    int tokens = 512, chunk = 32, sinks = 4, observe = 8, pool = 7, threads = 0, train_ctx = 0;
    int probe_layer = -1, probe_head = -1, device = -1;
    bool cpu = false;
    double recent = 0.5;
};

std::vector<std::string> split(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream s(text);
    for (std::string item; std::getline(s, item, ',');) out.push_back(item);
    return out;
}

int run_evict(const EvictOptions& o) {
    if (o.tokens < 2) throw Error(ErrorKind::BadArgument, "--tokens " + std::to_string(o.tokens), "must be >= 2");
    if (o.cpu && o.tokens > kCpuMaxTokens)
        throw Error(ErrorKind::BadArgument, "--tokens " + std::to_string(o.tokens),
                    "the CPU reference (--cpu) is capped at " + std::to_string(kCpuMaxTokens) +
                        " tokens; the Vulkan path (without --cpu) is bounded by device memory only");
    EvictionSweepSpec spec;
    spec.methods = parse_method_list(o.methods);
    for (const std::string& p : split(o.policies)) spec.policies.push_back(parse_policy(p));
    for (const std::string& b : split(o.positions)) spec.bookkeepings.push_back(parse_bookkeeping(b));
    spec.budgets = parse_int_list(o.budgets, "--budgets");
    spec.base.chunk = o.chunk;
    spec.base.policy.sinks = o.sinks;
    spec.base.policy.recent_share = o.recent;
    spec.base.policy.observe = o.observe;
    spec.base.policy.pool = o.pool;
    spec.base.threads = o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    std::string text_path = o.text.empty() ? find_assets().text() : o.text;
    if (text_path.empty()) throw Error(ErrorKind::BadFile, "assets", "bundled text not found (pass --text)");
    const TokenStream stream = load_token_stream(text_path, *lm.model.tokenizer);
    if (int64_t(stream.tokens.size()) < o.tokens)
        throw Error(ErrorKind::BadArgument, text_path,
                    "has " + std::to_string(stream.tokens.size()) + " tokens, fewer than --tokens " + std::to_string(o.tokens));
    const std::vector<int> tokens(stream.tokens.begin(), stream.tokens.begin() + o.tokens);
    const ModelConfig& cfg = lm.model.config;
    const int probe_layer = o.probe_layer >= 0 ? o.probe_layer : cfg.n_layers / 2;
    // The map's cell (checked before the sweep so that bad input fails at once).
    EvictionRun map_run = spec.base;
    map_run.policy.policy = spec.policies.front();
    map_run.positions = spec.bookkeepings.front();
    map_run.policy.budget = spec.budgets.front();
    if (!o.map.empty()) {
        const auto parts = split(o.map);
        if (parts.size() != 3) throw Error(ErrorKind::BadArgument, "--map " + o.map, "expected policy,positions,budget");
        map_run.policy.policy = parse_policy(parts[0]);
        map_run.positions = parse_bookkeeping(parts[1]);
        map_run.policy.budget = parse_int_list(parts[2], "--map budget").front();
    }
    map_run.probe_layer = probe_layer;
    map_run.probe_head = o.probe_head;
    map_run.map_grid = kEvictMapGrid;
    if (!o.figures.empty() && (probe_layer >= cfg.n_layers || o.probe_head < -1 || o.probe_head >= cfg.n_heads))
        throw Error(ErrorKind::BadArgument, "--probe-layer/--probe-head",
                    "outside the model's " + std::to_string(cfg.n_layers) + " layers / " + std::to_string(cfg.n_heads) + " heads");
    // The backend's own engine (Forward::eviction()), or the CPU reference with --cpu.
    const std::unique_ptr<Forward> backend = o.cpu ? nullptr : make_backend(lm.model, false, o.device);
    EvictionSimulator cpu_engine(lm.model);
    EvictionEngine& engine = backend && backend->eviction() ? *backend->eviction() : cpu_engine;
    const std::string device = &engine == &cpu_engine ? "CPU reference (" + std::to_string(spec.base.threads) + " threads)"
                                                      : engine.device_name();
    info("device: " + device);

    int64_t last_percent = -1;
    const EvictionSweep sweep = run_eviction_sweep(engine, cfg, tokens, spec, [&](int64_t done, int64_t total) {
        const int64_t pc = 100 * done / std::max<int64_t>(1, total);
        if (pc / 10 != last_percent / 10) info("evict: " + std::to_string(pc) + "% of " + std::to_string(total) + " chunk steps");
        last_percent = pc;
    });
    const EvictHeader h{cfg.name, lm.path, stream.path, device, int(stream.tokens.size()), spec.base};
    std::string text;
    if (o.format == "json") text = evict_json(h, sweep);
    else if (o.format == "csv") text = evict_csv(sweep);
    else text = evict_table(h, sweep);
    emit_output(text, o.out);

    if (!o.figures.empty()) {
        for (size_t i = 0; i < sweep.methods.size(); ++i)
            for (const std::string& p : write_figure_files(figure_evict_ppl(sweep, int(i), cfg.name), o.figures)) info("wrote " + p);
        const MethodSpec& m = spec.methods.front();
        const EvictionResult r = engine.run(tokens, [&](int n) { return make_plan(m, cfg, n); }, map_run);
        EvictionMapInfo mi{cfg.name, m.canonical(),
                           policy_name(map_run.policy.policy) + ", " + bookkeeping_name(map_run.positions) + ", B=" +
                               std::to_string(map_run.policy.budget),
                           probe_layer, o.probe_head, map_run.chunk, device};
        for (const std::string& p : write_figure_files(figure_evict_map(r, int(tokens.size()), mi), o.figures)) info("wrote " + p);
    }
    return 0;
}

}  // namespace

Command add_evict_command(CLI::App& root) {
    auto o = std::make_shared<EvictOptions>();
    CLI::App* app = root.add_subcommand("evict", "KV-cache eviction simulated over long text: perplexity against cache "
                                                 "budget per policy x position bookkeeping x method (Vulkan; --cpu: CPU reference)");
    app->add_option("--model", o->model, "model file (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--text", o->text, "UTF-8 text (default: bundled TinyStories sample)");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    app->add_option("--method", o->methods, "position method spec, repeatable or ';'-separated (default none)");
    app->add_option("--policies", o->policies, "comma-separated: window, streaming, h2o, snapkv")->capture_default_str();
    app->add_option("--positions", o->positions, "comma-separated: reassigned, original")->capture_default_str();
    app->add_option("--budgets", o->budgets, "comma-separated cache budgets (entries per layer)")->capture_default_str();
    app->add_option("--tokens", o->tokens, "tokens of the text evaluated (bounded by device memory; --cpu: at most 4096)")
        ->capture_default_str();
    app->add_option("--chunk", o->chunk, "tokens processed per step")->capture_default_str();
    app->add_option("--sinks", o->sinks, "streaming: attention sinks kept")->capture_default_str();
    app->add_option("--recent", o->recent, "h2o: share of the budget for recent tokens")->capture_default_str();
    app->add_option("--observe", o->observe, "snapkv: observation window (last queries of a chunk)")->capture_default_str();
    app->add_option("--pool", o->pool, "snapkv: max-pool kernel over cache slots (odd)")->capture_default_str();
    app->add_option("--threads", o->threads, "CPU threads of --cpu (default: all cores; results do not depend on it)");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "simulate on the scalar CPU reference instead of Vulkan");
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_option("--figures", o->figures, "also write the figures (SVG, PNG, CSV) into this folder");
    app->add_option("--map", o->map, "kept-token map cell: policy,positions,budget (default: the first of each list)");
    app->add_option("--probe-layer", o->probe_layer, "layer of the kept-token map (default: the middle one)");
    app->add_option("--probe-head", o->probe_head, "head of the kept-token map (-1: mean over heads)")->capture_default_str();
    return {app, [o] { return run_evict(*o); }};
}

}  // namespace xl::cli
