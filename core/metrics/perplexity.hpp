// Perplexity of a token stream under one protocol (core/metrics/protocol.hpp) at one window
// length, with any Forward backend and any position method (given as a plan builder).
//
//   PerplexityResult r = evaluate_perplexity(gpu, stream.tokens, parse_protocol("all"), 1024,
//       /*max_windows*/ 0, tok.bos(), [&](int n) { return make_plan(spec, config, n); });
//   r.stats.ppl(); r.stats.ppl_stderr(); r.position_loss[p];
//
// PPL = exp(mean NLL) over all scored tokens. Its standard error is the one llama.cpp's
// perplexity tool prints (position-methods.md §17): ppl · sqrt((E[nll²] − E[nll]²) / (count − 1)).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/protocol.hpp"

namespace xl {

// Running sums of per-token NLL (nats).
struct NllStats {
    double sum = 0, sum_sq = 0;
    int64_t count = 0;
    void add(double nll) { sum += nll; sum_sq += nll * nll; ++count; }
    double mean() const;        // NaN when empty
    double ppl() const;         // exp(mean)
    double ppl_stderr() const;  // llama.cpp's ± (0 when count < 2)
};

struct PerplexityResult {
    NllStats stats;
    int windows = 0;                     // forward runs
    // Mean NLL of the token at window position p (predicted from positions 0..p-1), averaged
    // over the windows that scored it; NaN where no window scored it. Size = length.
    std::vector<double> position_loss;
    std::vector<int64_t> position_count; // how many windows scored position p
    double seconds = 0;                  // total forward time
};

using PlanBuilder = std::function<PositionPlan(int seq_len)>;
using WindowProgress = std::function<void(int done, int total)>;

// Runs the windows of plan_windows(protocol, tokens.size(), length, max_windows). Plans are
// built once per distinct window length. `bos` (-1 = none) replaces the first token of each
// window when the protocol asks for it. Throws Error(BadArgument) when no window fits.
PerplexityResult evaluate_perplexity(Forward& forward, const std::vector<int>& tokens,
                                     const Protocol& protocol, int length, int max_windows, int bos,
                                     const PlanBuilder& make_plan,
                                     const WindowProgress& progress = {},
                                     const std::function<void()>& checkpoint = {});  // ForwardRequest::checkpoint

}  // namespace xl
