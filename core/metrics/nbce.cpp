// NBCE scoring (see nbce.hpp for the combination rule and its source).
#include "core/metrics/nbce.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "core/error.hpp"

namespace xl {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void log_softmax(const double* x, int vocab, std::vector<double>& out) {
    out.resize(size_t(vocab));
    double mx = -std::numeric_limits<double>::infinity();
    for (int v = 0; v < vocab; ++v) mx = std::max(mx, x[v]);
    double sum = 0;
    for (int v = 0; v < vocab; ++v) sum += std::exp(x[v] - mx);
    const double lse = mx + std::log(sum);
    for (int v = 0; v < vocab; ++v) out[size_t(v)] = x[v] - lse;
}

// The reference code's confidence: Σ p·clip(log p, −100, 0) = −entropy (clipped).
double neg_entropy(const std::vector<double>& lp) {
    double s = 0;
    for (double l : lp) s += std::exp(l) * std::clamp(l, -100.0, 0.0);
    return s;
}

std::vector<int> with_prefix(int bos, const std::vector<int>& a, int a0, int a1, const std::vector<int>& b, int b_n) {
    std::vector<int> t;
    if (bos >= 0) t.push_back(bos);
    t.insert(t.end(), a.begin() + a0, a.begin() + a1);
    t.insert(t.end(), b.begin(), b.begin() + b_n);
    return t;
}

}  // namespace

const char* to_string(NbcePooling p) { return p == NbcePooling::MinEntropy ? "min-entropy" : "average"; }

std::vector<double> nbce_combine(const std::vector<const float*>& chunk_logits, const float* prior_logits,
                                 int vocab, const NbceOptions& o, int* chosen) {
    assert(!chunk_logits.empty() && vocab > 0);
    std::vector<double> pooled, lp;
    int best = -1;
    if (o.pooling == NbcePooling::MinEntropy) {
        double best_conf = -std::numeric_limits<double>::infinity();
        for (size_t k = 0; k < chunk_logits.size(); ++k) {
            log_softmax_row(chunk_logits[k], vocab, lp);
            const double conf = neg_entropy(lp);
            if (conf > best_conf) {  // first on ties, as argmax
                best_conf = conf;
                best = int(k);
                pooled = lp;
            }
        }
    } else {
        pooled.assign(size_t(vocab), 0.0);
        for (const float* l : chunk_logits) {
            log_softmax_row(l, vocab, lp);
            for (int v = 0; v < vocab; ++v) pooled[size_t(v)] += lp[size_t(v)] / double(chunk_logits.size());
        }
    }
    if (chosen) *chosen = best;
    std::vector<double> merged = pooled;
    if (prior_logits) {
        std::vector<double> prior;
        log_softmax_row(prior_logits, vocab, prior);
        for (int v = 0; v < vocab; ++v)
            if (prior[size_t(v)] > o.prior_floor)
                merged[size_t(v)] = (o.beta + 1.0) * pooled[size_t(v)] - o.beta * prior[size_t(v)];
    }
    std::vector<double> out;
    log_softmax(merged.data(), vocab, out);
    return out;
}

std::vector<std::pair<int, int>> nbce_chunks(int n, int chunk_len) {
    assert(chunk_len > 0);
    std::vector<std::pair<int, int>> out;
    if (n <= 0) return out;
    const int k = (n + chunk_len - 1) / chunk_len;
    for (int i = 0; i < k; ++i) out.emplace_back(int(int64_t(n) * i / k), int(int64_t(n) * (i + 1) / k));
    return out;
}

NbceScore nbce_score(const LogitsSource& logits, const std::vector<int>& context,
                     const std::vector<int>& continuation, int chunk_len, const PlanBuilder& make_plan,
                     const NbceOptions& o) {
    const int m = int(continuation.size());
    const int first = o.bos >= 0 ? 0 : 1;
    if (context.empty() || m <= first || chunk_len < 1)
        throw Error(ErrorKind::BadArgument, "nbce",
                    "needs a non-empty context, a chunk length >= 1 and a continuation of at least " +
                        std::to_string(first + 1) + " tokens");
    NbceScore s;
    s.first_scored = first;
    const auto chunks = nbce_chunks(int(context.size()), chunk_len);
    s.chunks = int(chunks.size());
    int vocab = 0;
    std::vector<std::vector<float>> rows;  // per chunk: row i predicts continuation[i]
    for (const auto& [b, e] : chunks) {
        const std::vector<int> t = with_prefix(o.bos, context, b, e, continuation, m - 1);
        const int from = (o.bos >= 0 ? 1 : 0) + (e - b) - 1;
        rows.push_back(logits(t, make_plan(int(t.size())), from));
        vocab = int(rows.back().size() / (t.size() - size_t(from)));
    }
    // Prior: [bos] + continuation; row r predicts continuation[r + first].
    const std::vector<int> pt = with_prefix(o.bos, context, 0, 0, continuation, m - 1);
    const std::vector<float> prior = logits(pt, make_plan(int(pt.size())), 0);
    s.nll.assign(size_t(m), kNaN);
    s.prior_nll.assign(size_t(m), kNaN);
    s.chosen.assign(size_t(m), -1);
    std::vector<const float*> at(rows.size());
    for (int i = first; i < m; ++i) {
        for (size_t k = 0; k < rows.size(); ++k) at[k] = rows[k].data() + size_t(i) * size_t(vocab);
        const float* pr = prior.data() + size_t(i - first) * size_t(vocab);
        const auto lp = nbce_combine(at, pr, vocab, o, &s.chosen[size_t(i)]);
        const int target = continuation[size_t(i)];
        s.nll[size_t(i)] = -lp[size_t(target)];
        s.stats.add(s.nll[size_t(i)]);
        std::vector<double> plp;
        log_softmax_row(pr, vocab, plp);
        s.prior_nll[size_t(i)] = -plp[size_t(target)];
    }
    return s;
}

NbceEvalResult evaluate_nbce(const LogitsSource& logits, const std::vector<int>& tokens,
                             const NbceEvalOptions& eo, const PlanBuilder& make_plan) {
    const int C = eo.context_len, M = eo.continuation_len;
    const int bos_n = eo.nbce.bos >= 0 ? 1 : 0;
    const int chunk_len = eo.train_ctx - bos_n - (M - 1);
    if (C < 1 || M < 2 || chunk_len < 1)
        throw Error(ErrorKind::BadArgument, "nbce",
                    "context " + std::to_string(C) + " and continuation " + std::to_string(M) +
                        " tokens: the continuation must leave room for context in the training context of " +
                        std::to_string(eo.train_ctx) + " tokens");
    const int64_t span = int64_t(C) + M;
    if (int64_t(tokens.size()) < span)
        throw Error(ErrorKind::BadArgument, "nbce",
                    "one sample needs " + std::to_string(span) + " tokens; the text has " + std::to_string(tokens.size()));
    NbceEvalResult r;
    r.chunk_len = chunk_len;
    r.position_loss.assign(size_t(M), 0.0);
    std::vector<int> counts(size_t(M), 0);
    for (int64_t s0 = 0; s0 + span <= int64_t(tokens.size()); s0 += span) {
        if (eo.max_samples > 0 && r.samples >= eo.max_samples) break;
        const std::vector<int> ctx(tokens.begin() + s0, tokens.begin() + s0 + C);
        const std::vector<int> cont(tokens.begin() + s0 + C, tokens.begin() + s0 + span);
        const NbceScore sc = nbce_score(logits, ctx, cont, chunk_len, make_plan, eo.nbce);
        r.chunks = sc.chunks;
        for (int i = sc.first_scored; i < M; ++i) {
            r.nbce.add(sc.nll[size_t(i)]);
            r.no_context.add(sc.prior_nll[size_t(i)]);
            r.position_loss[size_t(i)] += sc.nll[size_t(i)];
            counts[size_t(i)] += 1;
        }
        // Plain scoring of the last context tokens that fit (one chunk, β = 0: the same rows).
        NbceOptions plain = eo.nbce;
        plain.beta = 0;
        const int tail = std::min(C, chunk_len);
        const std::vector<int> last(ctx.end() - tail, ctx.end());
        const NbceScore pl = nbce_score(logits, last, cont, chunk_len, make_plan, plain);
        for (int i = sc.first_scored; i < M; ++i) r.truncated.add(pl.nll[size_t(i)]);
        r.samples += 1;
    }
    for (int i = 0; i < M; ++i)
        r.position_loss[size_t(i)] = counts[size_t(i)] ? r.position_loss[size_t(i)] / counts[size_t(i)] : kNaN;
    return r;
}

}  // namespace xl
