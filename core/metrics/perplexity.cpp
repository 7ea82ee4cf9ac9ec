#include "core/metrics/perplexity.hpp"

#include <cassert>
#include <cmath>
#include <limits>
#include <map>

#include "core/error.hpp"

namespace xl {

double NllStats::mean() const {
    return count > 0 ? sum / double(count) : std::numeric_limits<double>::quiet_NaN();
}

double NllStats::ppl() const { return std::exp(mean()); }

double NllStats::ppl_stderr() const {
    if (count < 2) return 0;
    const double m = mean();
    const double var = sum_sq / double(count) - m * m;
    return var > 0 ? ppl() * std::sqrt(var / double(count - 1)) : 0;
}

PerplexityResult evaluate_perplexity(Forward& forward, const std::vector<int>& tokens,
                                     const Protocol& protocol, int length, int max_windows, int bos,
                                     const PlanBuilder& make_plan, const WindowProgress& progress,
                                     const std::function<void()>& checkpoint) {
    if (length < 2) throw Error(ErrorKind::BadArgument, std::to_string(length), "window length must be at least 2 tokens");
    const auto windows = plan_windows(protocol, int64_t(tokens.size()), length, max_windows);
    if (windows.empty())
        throw Error(ErrorKind::BadArgument, "length " + std::to_string(length),
                    "longer than the text (" + std::to_string(tokens.size()) + " tokens)");

    PerplexityResult r;
    r.position_loss.assign(size_t(length), 0.0);
    r.position_count.assign(size_t(length), 0);
    std::map<int, PositionPlan> plans;  // by window length (the last sliding window may be shorter)
    for (size_t w = 0; w < windows.size(); ++w) {
        const ScoreWindow& win = windows[w];
        ForwardRequest req;
        req.tokens.assign(tokens.begin() + win.start, tokens.begin() + win.start + win.length);
        if (win.bos_first && bos >= 0) req.tokens[0] = bos;
        auto it = plans.find(win.length);
        if (it == plans.end()) it = plans.emplace(win.length, make_plan(win.length)).first;
        req.plan = it->second;
        req.checkpoint = cancel_only(checkpoint);
        ForwardResult out = forward.run(req);
        assert(out.nll.size() == size_t(win.length - 1));
        for (int p = win.first_target; p < win.length; ++p) {
            const double nll = out.nll[size_t(p - 1)];
            r.stats.add(nll);
            r.position_loss[size_t(p)] += nll;
            r.position_count[size_t(p)] += 1;
        }
        r.seconds += out.seconds;
        r.windows += 1;
        if (progress) progress(int(w + 1), int(windows.size()));
    }
    for (size_t p = 0; p < r.position_loss.size(); ++p)
        r.position_loss[p] = r.position_count[p] > 0 ? r.position_loss[p] / double(r.position_count[p])
                                                     : std::numeric_limits<double>::quiet_NaN();
    return r;
}

}  // namespace xl
