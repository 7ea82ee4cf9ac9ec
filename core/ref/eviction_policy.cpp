// Eviction policies (see eviction_policy.hpp).
#include "core/ref/eviction_policy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"

namespace xl {
namespace {

[[noreturn]] void bad(const std::string& what) { throw Error(ErrorKind::BadArgument, "eviction", what); }

// The `count` slots of [0, end) with the largest score (ties: earlier slot), ascending; `margin`
// lowered to the relative gap at the cut (see eviction_keep).
std::vector<int> top_slots(const std::vector<double>& score, int end, int count, double* margin) {
    std::vector<int> order(static_cast<size_t>(end));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[size_t(a)] > score[size_t(b)]; });
    count = std::clamp(count, 0, end);
    if (margin && count > 0 && count < end) {
        const double kept = score[size_t(order[size_t(count - 1)])], evicted = score[size_t(order[size_t(count)])];
        *margin = std::min(*margin, kept > 0 ? (kept - evicted) / kept : 0.0);
    }
    order.resize(size_t(count));
    std::sort(order.begin(), order.end());
    return order;
}

// [from, to) appended to `slots`.
void append_range(std::vector<int>& slots, int from, int to) {
    for (int j = from; j < to; ++j) slots.push_back(j);
}

// Max-pool over neighbouring slots, kernel k (odd), clipped at the ends (SnapKV §4.2 clusters votes).
std::vector<double> max_pool(const std::vector<double>& v, int m, int k) {
    std::vector<double> out(static_cast<size_t>(m));
    const int r = k / 2;
    for (int j = 0; j < m; ++j) {
        double best = v[size_t(j)];
        for (int d = std::max(0, j - r); d <= std::min(m - 1, j + r); ++d) best = std::max(best, v[size_t(d)]);
        out[size_t(j)] = best;
    }
    return out;
}

}  // namespace

void validate(const EvictionPolicyParams& p) {
    if (p.budget < 1) bad("the cache budget must be at least 1 entry (got " + std::to_string(p.budget) + ")");
    if (p.policy == EvictionPolicy::Streaming && (p.sinks < 0 || p.sinks >= p.budget))
        bad("streaming needs 0 <= sinks < budget (sinks " + std::to_string(p.sinks) + ", budget " +
            std::to_string(p.budget) + ")");
    if (p.policy == EvictionPolicy::H2O && !(p.recent_share >= 0 && p.recent_share <= 1))
        bad("h2o needs a recent share in [0, 1]");
    if (p.policy == EvictionPolicy::SnapKV) {
        if (p.observe < 1 || p.observe > p.budget)
            bad("snapkv needs 1 <= observation window <= budget (window " + std::to_string(p.observe) + ")");
        if (p.pool < 1 || p.pool % 2 == 0) bad("snapkv needs an odd pooling kernel >= 1");
    }
}

std::vector<int> eviction_keep(const EvictionPolicyParams& p, int m, const std::vector<double>& accumulated,
                               const std::vector<double>& votes, double* margin) {
    const int B = std::min(m, p.budget);
    std::vector<int> keep;
    if (m <= p.budget) {
        append_range(keep, 0, m);
        return keep;
    }
    switch (p.policy) {
        case EvictionPolicy::Window:
            append_range(keep, m - B, m);
            break;
        case EvictionPolicy::Streaming:
            append_range(keep, 0, p.sinks);
            append_range(keep, m - (B - p.sinks), m);
            break;
        case EvictionPolicy::H2O: {
            const int recent = int(std::lround(p.recent_share * B));
            keep = top_slots(accumulated, m - recent, B - recent, margin);
            append_range(keep, m - recent, m);
            break;
        }
        case EvictionPolicy::SnapKV: {
            const int window = std::min(p.observe, B);
            keep = top_slots(max_pool(votes, m - window, p.pool), m - window, B - window, margin);
            append_range(keep, m - window, m);
            break;
        }
    }
    return keep;
}

std::string policy_name(EvictionPolicy p) {
    switch (p) {
        case EvictionPolicy::Window: return "window";
        case EvictionPolicy::Streaming: return "streaming";
        case EvictionPolicy::H2O: return "h2o";
        case EvictionPolicy::SnapKV: return "snapkv";
    }
    return "?";
}

EvictionPolicy parse_policy(const std::string& name) {
    for (auto p : {EvictionPolicy::Window, EvictionPolicy::Streaming, EvictionPolicy::H2O, EvictionPolicy::SnapKV})
        if (name == policy_name(p)) return p;
    bad("unknown eviction policy '" + name + "' (valid: window, streaming, h2o, snapkv)");
}

std::string bookkeeping_name(PositionBookkeeping b) {
    return b == PositionBookkeeping::Reassigned ? "reassigned" : "original";
}

PositionBookkeeping parse_bookkeeping(const std::string& name) {
    if (name == "reassigned") return PositionBookkeeping::Reassigned;
    if (name == "original") return PositionBookkeeping::Original;
    bad("unknown position bookkeeping '" + name + "' (valid: reassigned, original)");
}

}  // namespace xl
