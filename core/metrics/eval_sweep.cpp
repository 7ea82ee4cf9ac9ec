#include "core/metrics/eval_sweep.hpp"

#include "core/error.hpp"
#include "core/metrics/perplexity.hpp"

namespace xl {

void check_eval_sweep(const EvalSweep& sweep, const Forward& forward, const TokenStream& stream) {
    if (sweep.methods.empty()) throw Error(ErrorKind::BadArgument, "--method", "no position method given");
    if (sweep.lengths.empty()) throw Error(ErrorKind::BadArgument, "--lengths", "no evaluation length given");
    const int64_t limit = forward.max_tokens();
    for (int L : sweep.lengths) {
        if (L < 2)
            throw Error(ErrorKind::BadArgument, "length " + std::to_string(L), "a window needs at least 2 tokens");
        if (int64_t(L) > limit)
            throw Error(ErrorKind::OutOfMemory, "length " + std::to_string(L), memory_refusal(forward, L));
    }
    for (int L : sweep.lengths)
        if (int64_t(L) > int64_t(stream.tokens.size()))
            throw Error(ErrorKind::BadArgument, stream.path,
                        "has " + std::to_string(stream.tokens.size()) + " tokens, fewer than the length " +
                            std::to_string(L) + " asked for");
}

EvalRow run_eval_cell(const EvalSweep& sweep, int cell, Forward& forward, const ModelConfig& config,
                      const TokenStream& stream, const SweepProgress& progress) {
    const MethodSpec& spec = sweep.methods.at(size_t(cell) / sweep.lengths.size());
    const int L = sweep.lengths.at(size_t(cell) % sweep.lengths.size());
    const int n_rows = eval_cell_count(sweep);
    std::string convention, resolved;
    auto build = [&](int n) {
        PositionPlan plan = make_plan(spec, config, n);
        if (resolved.empty()) {  // the plan at the full window length L comes first
            convention = plan.convention;
            resolved = plan.method;
        }
        return plan;
    };
    auto on_window = [&](int done, int total) {
        if (progress) progress(cell, n_rows, done, total);
    };
    // BOS is restored at window starts by protocols that ask for it.
    PerplexityResult r = evaluate_perplexity(forward, stream.tokens, sweep.protocol, L, sweep.max_windows,
                                             stream.bos, build, on_window);
    EvalRow row;
    row.method = spec.canonical();
    row.convention = convention;
    row.resolved = resolved;
    row.protocol = sweep.protocol.name();
    row.length = L;
    row.ppl = r.stats.ppl();
    row.mean_nll = r.stats.mean();
    row.ppl_stderr = r.stats.ppl_stderr();
    row.tokens_scored = r.stats.count;
    row.windows = r.windows;
    row.seconds = r.seconds;
    row.position_loss = std::move(r.position_loss);
    return row;
}

EvalTable run_eval_sweep(const EvalSweep& sweep, Forward& forward, const ModelConfig& config,
                         const TokenStream& stream, EvalInfo info, const SweepProgress& progress) {
    check_eval_sweep(sweep, forward, stream);
    std::vector<EvalRow> rows;
    for (int cell = 0; cell < eval_cell_count(sweep); ++cell)
        rows.push_back(run_eval_cell(sweep, cell, forward, config, stream, progress));
    return EvalTable(std::move(info), sweep.protocol.name(), sweep.protocol.description(), std::move(rows));
}

}  // namespace xl
