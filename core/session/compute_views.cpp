// The view stages of a computation (research views: positional vectors, needle grid, KV-cache
// eviction, attention-logit spread), each cached in the engine's stage cache by what it depends on.
#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "core/metrics/eviction_sweep.hpp"
#include "core/metrics/logit_spread.hpp"
#include "core/metrics/needle.hpp"
#include "core/metrics/positional_vectors.hpp"
#include "core/session/compute_run.hpp"
#include "core/session/figures_evict.hpp"

namespace xl::compute_detail {

// Positional vectors of every layer for each configuration: session.posvec_windows windows of
// eval_length, BOS first, hidden states only (core/metrics/positional_vectors.hpp); cached by
// method, length and windows so that switching tabs does not recompute them.
void stage_posvec(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    const Model& model = run.engine.model();
    auto& cache = run.engine.stage_cache();
    PositionalVectorOptions o;
    o.length = r.eval_length;
    o.windows = run.req.session.posvec_windows;
    o.train_length = r.train_length;
    r.posvec_windows = o.windows;
    for (size_t i = 0; i < r.configs.size(); ++i) {
        ConfigResult& c = r.configs[i];
        if (!c.error.empty()) continue;
        const std::string key = "posvec|" + c.method + "|" + std::to_string(o.length) + "|" + std::to_string(o.windows);
        if (auto it = cache.find(key); it != cache.end()) {
            c.posvec = std::static_pointer_cast<const PositionalVectors>(it->second);
            continue;
        }
        const auto t0 = Clock::now();
        const std::string label = std::string("positional vectors ") + c.label;
        const auto done = [&](int w, int total) {
            run.progress((double(i) + double(w) / total) / double(r.configs.size()),
                         label + ": window " + std::to_string(w) + " of " + std::to_string(total));
            run.check();
        };
        try {
            const MeanHidden m = mean_hidden_states(run.engine.forward(), model.config, run.engine.stream().tokens,
                                                    model.tokenizer ? model.tokenizer->bos() : -1,
                                                    make_plan(specs[i], model.config, o.length), o, done, run.hooks.check);
            run.progress((double(i) + 1) / double(r.configs.size()), label + ": PCA");
            c.posvec = std::make_shared<const PositionalVectors>(analyse_positional_vectors(m, o));
        } catch (const Error& e) {
            r.warnings.push_back(label + ": " + e.what());
            continue;
        }
        c.posvec_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        cache[key] = c.posvec;
        run.publish();
    }
    r.posvec_done = true;
}

// The needle grid of each configuration (core/metrics/needle.hpp): session.needle_tasks ×
// needle_lengths × needle_depths, one teacher-forced pass per cell; cached by method and grid.
// Lengths the device cannot hold are left out with a warning.
void stage_needle(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    const Session& s = run.req.session;
    const Model& model = run.engine.model();
    auto& cache = run.engine.stage_cache();
    NeedleOptions o;
    o.tasks = parse_needle_tasks(s.needle_tasks);
    std::vector<int> lengths;
    for (int n : s.needle_lengths.empty() ? std::vector<int>{512} : s.needle_lengths) {
        if (n <= run.engine.forward().max_tokens()) lengths.push_back(n);
        else r.warnings.push_back("needle length " + std::to_string(n) + " skipped: the device holds at most " +
                                  std::to_string(run.engine.forward().max_tokens()) + " tokens");
    }
    if (!model.tokenizer || lengths.empty()) {
        r.needle_done = true;
        return;
    }
    std::string grid = s.needle_tasks;
    for (int n : lengths) grid += "|" + std::to_string(n);
    for (double d : s.needle_depths) grid += "|" + std::to_string(d);
    for (size_t i = 0; i < r.configs.size(); ++i) {
        ConfigResult& c = r.configs[i];
        if (!c.error.empty()) continue;
        const std::string key = "needle|" + c.method + "|" + grid;
        if (auto it = cache.find(key); it != cache.end()) {
            c.needle = std::static_pointer_cast<const NeedleGrid>(it->second);
            continue;
        }
        const std::string label = std::string("needle ") + c.label;
        const auto done = [&](int k, int total) {
            run.progress((double(i) + double(k) / total) / double(r.configs.size()),
                         label + ": cell " + std::to_string(k) + " of " + std::to_string(total));
        };
        try {
            c.needle = std::make_shared<const NeedleGrid>(run_needle_grid(
                run.engine.forward(), model.config, *model.tokenizer, lengths, s.needle_depths, o,
                [&](int n) { return make_plan(specs[i], model.config, n); }, done, run.hooks.check));
        } catch (const Error& e) {
            if (vulkan_failure(e)) throw;
            r.warnings.push_back(label + ": " + e.what());
            continue;
        }
        cache[key] = c.needle;
        run.publish();
    }
    r.needle_done = true;
}

// KV-cache eviction (core/metrics/eviction_sweep.hpp) on the engine's Vulkan path, or the CPU
// reference when the session asks for it (or the backend is the CPU reference): every policy ×
// bookkeeping × session budget for the configurations' methods over the first evict_tokens of
// the text, then the kept-token map of the session's map cell for A's method at the view's probe
// layer/head (at the figure's grid). Both cached by what they depend on, so that tab switches do
// not recompute them.
void stage_evict(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    const Session& s = run.req.session;
    const Model& model = run.engine.model();
    auto& cache = run.engine.stage_cache();
    const auto& stream = run.engine.stream().tokens;
    const int N = std::min(s.evict_tokens, int(stream.size()));
    EvictionSimulator cpu(model);
    EvictionEngine* gpu = s.evict_cpu ? nullptr : run.engine.forward().eviction();
    EvictionEngine& engine = gpu ? *gpu : cpu;
    const std::string device = gpu ? "GPU" : "CPU";
    EvictionSweepSpec spec;
    std::string key = "evict|" + device + "|" + std::to_string(N) + "|" + std::to_string(s.evict_chunk) + "|" +
                      std::to_string(s.evict_sinks);
    for (int b : s.evict_budgets) key += "," + std::to_string(b);
    for (size_t i = 0; i < r.configs.size(); ++i)
        if (r.configs[i].error.empty()) {
            spec.methods.push_back(specs[i]);
            key += "|" + specs[i].canonical();
        }
    r.evict_done = true;
    if (spec.methods.empty() || N < 2) return;
    spec.policies = {EvictionPolicy::Window, EvictionPolicy::Streaming, EvictionPolicy::H2O, EvictionPolicy::SnapKV};
    spec.bookkeepings = {PositionBookkeeping::Reassigned, PositionBookkeeping::Original};
    spec.budgets = s.evict_budgets;
    spec.base.chunk = s.evict_chunk;
    spec.base.policy.sinks = s.evict_sinks;
    spec.base.threads = int(std::max(1u, std::thread::hardware_concurrency()));
    const std::vector<int> tokens(stream.begin(), stream.begin() + N);
    try {
        if (auto it = cache.find(key); it != cache.end()) {
            r.evict = std::static_pointer_cast<const EvictionSweep>(it->second);
        } else {
            r.evict = std::make_shared<const EvictionSweep>(
                run_eviction_sweep(engine, model.config, tokens, spec, [&](int64_t done, int64_t total) {
                    run.progress(0.9 * double(done) / double(total), "KV eviction (" + device + "): chunk step " +
                                                                        std::to_string(done) + " of " + std::to_string(total));
                    run.check();
                }));
            cache[key] = r.evict;
        }
        run.publish();
        EvictionRun m = spec.base;
        m.policy.policy = parse_policy(s.evict_map_policy);
        m.positions = parse_bookkeeping(s.evict_map_positions);
        m.policy.budget = s.evict_map_budget;
        m.probe_layer = std::clamp(run.req.layer, 0, model.config.n_layers - 1);
        m.probe_head = std::clamp(run.req.head, -1, model.config.n_heads - 1);
        m.map_grid = kEvictMapGrid;
        r.evict_map_label = s.evict_map_policy + ", " + s.evict_map_positions + ", B=" + std::to_string(m.policy.budget);
        r.evict_map_method = spec.methods.front().canonical();
        r.evict_map_layer = m.probe_layer;
        r.evict_map_head = m.probe_head;
        r.evict_chunk = m.chunk;
        const std::string map_key = key + "|map|" + r.evict_map_label + "|" + std::to_string(m.probe_layer) + "|" +
                                    std::to_string(m.probe_head);
        if (auto it = cache.find(map_key); it != cache.end()) {
            r.evict_map = std::static_pointer_cast<const EvictionResult>(it->second);
        } else {
            const MethodSpec& first = spec.methods.front();
            r.evict_map = std::make_shared<const EvictionResult>(engine.run(tokens, [&](int n) { return make_plan(first, model.config, n); }, m,
                                                                         [&](int step, int steps) {
                                                                             run.progress(0.9 + 0.1 * step / steps, "KV eviction: kept-token map");
                                                                             run.check();
                                                                         }));
            cache[map_key] = r.evict_map;
        }
    } catch (const Error& e) {
        if (vulkan_failure(e)) throw;  // a lost device ends the job as in the other stages; a refused budget is a warning
        r.warnings.push_back(std::string("KV eviction: ") + e.what());
    }
}

// Attention-logit spread of every layer for each configuration: one pass at eval_length that
// counts the logits per distance bucket (core/metrics/logit_spread.hpp); cached by method and length.
void stage_logit_spread(Run& run, const std::vector<MethodSpec>& specs) {
    Results& r = run.r;
    const Model& model = run.engine.model();
    auto& cache = run.engine.stage_cache();
    const int n = r.eval_length;
    for (size_t i = 0; i < r.configs.size(); ++i) {
        ConfigResult& c = r.configs[i];
        if (!c.error.empty()) continue;
        const std::string key = "logit_spread|" + c.method + "|" + std::to_string(n);
        if (auto it = cache.find(key); it != cache.end()) {
            c.logit_spread = std::static_pointer_cast<const LogitSpread>(it->second);
            continue;
        }
        const auto t0 = Clock::now();
        const std::string label = std::string("attention logits ") + c.label;
        const auto checkpoint = [&run, &label, i, nc = r.configs.size(), L = model.config.n_layers](double done) {
            run.progress((double(i) + done) / double(nc), label + ": layer " + std::to_string(std::min(int(done * L), L)));
            run.check();
        };
        try {
            const AttentionStats st = logit_histogram_pass(run.engine.forward(), run.window(n),
                                                           make_plan(specs[i], model.config, n), checkpoint);
            c.logit_spread = std::make_shared<const LogitSpread>(logit_spread(st, n, r.train_length));
        } catch (const Error& e) {
            r.warnings.push_back(label + ": " + e.what());
            continue;
        }
        c.logit_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        cache[key] = c.logit_spread;
        run.publish();
    }
    r.logit_spread_done = true;
}

}  // namespace xl::compute_detail
