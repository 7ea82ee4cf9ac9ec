// NBCE — Naive Bayes-based Context Extension: a context longer than the model can read is split
// into chunks that fit; every chunk is read together with the query/continuation, and at each
// scored position the chunks' next-token distributions are combined (formula of the NBCE
// method's reference code and blog):
//
//   log p_k   = log-softmax of chunk k's logits;   log p_0 = the same without any context ("prior")
//   k*        = argmin_k H(p_k), H = −Σ p·clip(log p, −100, 0)     ("max pooling" by confidence)
//   pooled    = log p_k*          (NbcePooling::Average: the mean of log p_k over chunks instead)
//   merged    = (β + 1)·pooled − β·log p_0   where log p_0 > −100, else pooled;   β = 0.25 default
//   log p(x)  = log-softmax(merged)          (the reference code samples from softmax(merged))
// The reference code also applies a top-p (0.95) cut before pooling for sampling; for scoring
// losses that would give infinite NLL, so it is not applied here.
//
//   NbceOptions o;  o.beta = 0.25;
//   std::vector<double> lp = nbce_combine({l1, l2, l3}, prior, vocab, o, &chosen);   // normalised
//   LogitsSource src = reference_logits(model);
//   NbceScore s = nbce_score(src, context, continuation, /*chunk_len*/ 200, plans, o);
//   NbceEvalResult r = evaluate_nbce(src, stream.tokens, eval_opts, plans);  // loss on long text
#pragma once
#include <cstdint>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/perplexity.hpp"

namespace xl {

enum class NbcePooling { MinEntropy, Average };
const char* to_string(NbcePooling p);   // "min-entropy", "average"

struct NbceOptions {
    double beta = 0.25;                 // weight of the prior subtraction (β)
    NbcePooling pooling = NbcePooling::MinEntropy;
    double prior_floor = -100;          // where log p_0 <= floor the pooled value is used alone
    int bos = -1;                       // token starting every row (chunk and prior); -1 = none
};

// Combines one position's chunk logits (raw, [vocab] each, at least one) with the prior's (raw;
// null = no prior term). Returns the normalised log-distribution; `chosen` gets the pooled chunk
// index (−1 for Average).
std::vector<double> nbce_combine(const std::vector<const float*>& chunk_logits, const float* prior_logits,
                                 int vocab, const NbceOptions& options, int* chosen = nullptr);

// Splits `n` context tokens into ceil(n / chunk_len) consecutive chunks of near-equal size
// (sizes differ by at most one). Returns [begin, end) pairs.
std::vector<std::pair<int, int>> nbce_chunks(int n, int chunk_len);

struct NbceScore {
    std::vector<double> nll;            // per continuation token (NaN where not scored)
    std::vector<int> chosen;            // pooled chunk per continuation token (−1 if n/a)
    int chunks = 0;
    int first_scored = 0;               // 0, or 1 when there is no BOS (the prior needs a token)
    NllStats stats;                     // over the scored tokens
    std::vector<double> prior_nll;      // the prior (no context) alone, per continuation token
};

// Scores `continuation` after `context` with NBCE. Each chunk row is [bos] + chunk + continuation
// (its last token only as a target), the prior row [bos] + continuation; logits from `logits`
// (reference_logits(model) or forward_logits(backend), core/metrics/logits_source.hpp).
NbceScore nbce_score(const LogitsSource& logits, const std::vector<int>& context,
                     const std::vector<int>& continuation, int chunk_len, const PlanBuilder& make_plan,
                     const NbceOptions& options);

struct NbceEvalOptions {
    int context_len = 0;                // long context preceding each scored span (tokens)
    int continuation_len = 0;           // scored tokens per sample
    int train_ctx = 0;                  // the model's training context: rows never exceed it
    int max_samples = 0;                // 0 = every non-overlapping sample of the stream
    NbceOptions nbce;
};

struct NbceEvalResult {
    int samples = 0, chunks = 0, chunk_len = 0;
    NllStats nbce;                      // NBCE over all chunks
    NllStats truncated;                 // plain scoring: the last context tokens that fit + continuation
    NllStats no_context;                // the prior alone
    std::vector<double> position_loss;  // NBCE mean NLL per continuation index (NaN if unscored)
};

// Loss of NBCE on long text: consecutive non-overlapping samples of context_len + continuation_len
// tokens; chunk_len = train_ctx − (bos ? 1 : 0) − (continuation_len − 1). Error(BadArgument) when
// the continuation does not fit the training context or the stream is shorter than one sample.
NbceEvalResult evaluate_nbce(const LogitsSource& logits, const std::vector<int>& tokens,
                             const NbceEvalOptions& options, const PlanBuilder& make_plan);

}  // namespace xl
