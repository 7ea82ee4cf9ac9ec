// The eviction grid (see eviction_sweep.hpp).
#include "core/metrics/eviction_sweep.hpp"

#include <chrono>
#include <cmath>

#include "core/error.hpp"

namespace xl {

EvictionSweep run_eviction_sweep(EvictionEngine& engine, const ModelConfig& config, const std::vector<int>& tokens,
                                 const EvictionSweepSpec& spec, const std::function<void(int64_t, int64_t)>& progress) {
    const auto start = std::chrono::steady_clock::now();
    if (spec.methods.empty() || spec.policies.empty() || spec.bookkeepings.empty() || spec.budgets.empty())
        throw Error(ErrorKind::BadArgument, "eviction", "the sweep needs at least one method, policy, bookkeeping and budget");
    if (spec.base.chunk < 1) throw Error(ErrorKind::BadArgument, "eviction", "the chunk size must be at least 1 token");
    if (tokens.size() < 2) throw Error(ErrorKind::BadArgument, "eviction", "the text needs at least 2 tokens");
    for (auto p : spec.policies)
        for (int b : spec.budgets) {
            EvictionPolicyParams pp = spec.base.policy;
            pp.policy = p;
            pp.budget = b;
            validate(pp);
        }
    const int N = int(tokens.size());
    EvictionSweep out;
    out.tokens = N;
    out.chunk = spec.base.chunk;
    out.device = engine.device_name();
    const int64_t steps = (N + spec.base.chunk - 1) / spec.base.chunk;
    const int64_t cells = int64_t(spec.policies.size() * spec.bookkeepings.size() * spec.budgets.size());
    const int64_t total = int64_t(spec.methods.size()) * (cells + 1) * steps;
    int64_t done = 0;
    for (const MethodSpec& m : spec.methods) {
        const auto plan_for = [&](int n) { return make_plan(m, config, n); };
        out.methods.push_back(m.canonical());
        // Full context: a budget of N evicts nothing, which is the whole-sequence pass (within
        // 1e-5 on the CPU, 1e-4 per token on the GPU: tests/test_ref_eviction.cpp, test_gpu_eviction.cpp).
        const int64_t before_full = done;
        out.full_perplexity.push_back(engine.full_context(tokens, plan_for, spec.base, [&](int step, int) {
            done = before_full + step;
            if (progress) progress(done, total);
        }).perplexity);
        for (auto p : spec.policies)
            for (auto b : spec.bookkeepings)
                for (int budget : spec.budgets) {
                    EvictionRun r = spec.base;
                    r.policy.policy = p;
                    r.policy.budget = budget;
                    r.positions = b;
                    r.probe_layer = -1;
                    const int64_t before = done;
                    const EvictionResult res = engine.run(tokens, plan_for, r, [&](int step, int) {
                        done = before + step;
                        if (progress) progress(done, total);
                    });
                    out.cells.push_back({m.canonical(), p, b, budget, res.mean_nll, res.perplexity, res.seconds, res.evictions});
                }
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

EvictionSweep run_eviction_sweep(const Model& model, const std::vector<int>& tokens, const EvictionSweepSpec& spec,
                                 const std::function<void(int64_t, int64_t)>& progress) {
    EvictionSimulator cpu(model);
    return run_eviction_sweep(cpu, model.config, tokens, spec, progress);
}

}  // namespace xl
