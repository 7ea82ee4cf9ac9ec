// Needle in a haystack, teacher-forced, and the heads that fetch the needle.
//
// A prompt is the passkey haystack (core/metrics/passkey.hpp: task line, filler sentences, the
// needle line at a depth, a question) followed by the true answer; one forward pass scores it:
//   correct  = every answer token is the argmax of its row (what greedy decoding would produce),
//   logprob  = Σ_t log p(answer_t | prompt, answer_<t),
// and the answer rows' attention over every key, in every layer and head
// (ForwardRequest::attention_rows) gives
//   needle_mass(l,h) = mean over answer rows of Σ_{j in needle} p(row, j),
//   copies(l,h)      = answer tokens for which the head's top-attended key lies in the needle and
//                      holds that very token (a copy-paste event),
//   retrieval(l,h)   = copies / copyable, copyable = answer tokens that occur in the needle
// (the retrieval score of Wu et al., 2024, "Retrieval Head Mechanistically Explains Long-Context
// Factuality", §2: heads above 0.1 are retrieval heads).
// Two needles: "passkey" (the 5-digit key of the passkey prompt) and "sentence" (a needle
// sentence with a question, as in the needle-in-a-haystack test).
//
//   NeedleGrid g = run_needle_grid(gpu, cfg, tok, {2048}, {0.1, 0.5, 0.9}, {}, plans);
//   g.cells[0].correct; g.retrieval()[l * g.heads + h];
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/perplexity.hpp"
#include "core/model/tokenizer.hpp"

namespace xl {

enum class NeedleTask { Passkey, Sentence };
const char* needle_task_name(NeedleTask t);  // "passkey", "sentence"
// "passkey,sentence" -> both; Error(BadArgument) naming the unknown one otherwise.
std::vector<NeedleTask> parse_needle_tasks(const std::string& text);

constexpr double kRetrievalHeadThreshold = 0.1;  // Wu et al. (2024): retrieval heads score above it

struct NeedlePrompt {
    NeedleTask task = NeedleTask::Passkey;
    int target_tokens = 0;            // prompt + answer fit in this many tokens
    double depth = 0;
    std::vector<int> tokens;          // prompt, then the answer (teacher forcing)
    int prompt_tokens = 0;            // the answer starts at this index
    int needle_begin = 0, needle_end = 0;  // token span [begin, end) of the needle line
    std::string answer;               // the answer's text
    int answer_tokens() const { return int(tokens.size()) - prompt_tokens; }
};

// Throws Error(BadArgument) for a depth outside [0, 1], a key that is not 5 digits, or a
// length that cannot hold the task, needle, question and answer.
NeedlePrompt build_needle_prompt(const Tokenizer& tok, NeedleTask task, int target_tokens, double depth, int passkey);

struct NeedleCell {
    NeedleTask task = NeedleTask::Passkey;
    int target_tokens = 0;
    double depth = 0;
    int prompt_tokens = 0, needle_begin = 0, needle_end = 0;
    std::vector<int> answer_ids, argmax_ids;  // the answer's tokens and each row's argmax
    std::vector<double> token_logprob;        // log p(answer_t | ...), natural log
    double logprob = 0;                       // their sum
    bool correct = false;                     // argmax_ids == answer_ids
    int copyable = 0;                         // answer tokens that occur in the needle
    int layers = 0, heads = 0;
    std::vector<int> copies;                  // [layer·heads + head]
    std::vector<double> needle_mass;          // [layer·heads + head]
    double seconds = 0;                       // the forward pass
    double retrieval(int layer, int head) const;  // copies / copyable (NaN when nothing is copyable)
    int retrieval_heads() const;              // heads with retrieval >= kRetrievalHeadThreshold
    int distance() const { return prompt_tokens - needle_begin; }  // answer to needle start, tokens
};

struct NeedleOptions {
    std::vector<NeedleTask> tasks = {NeedleTask::Passkey, NeedleTask::Sentence};
    uint64_t seed = 1;                // the passkey (core/metrics/passkey.hpp passkey_keys)
};

struct NeedleGrid {
    std::vector<NeedleTask> tasks;
    std::vector<int> lengths;
    std::vector<double> depths;
    std::vector<NeedleCell> cells;    // task-major, then length, then depth
    int layers = 0, heads = 0;
    double seconds = 0;               // every pass of the grid
    const NeedleCell& cell(size_t task, size_t length, size_t depth) const;
    double accuracy() const;          // correct cells / cells (NaN when none)
    // Over every cell: Σ copies / Σ copyable per head, and the mean needle mass per head.
    std::vector<double> retrieval() const;
    std::vector<double> needle_mass() const;
};

// Scores one prompt with one forward pass (answer rows' attention and logits only).
NeedleCell score_needle(Forward& forward, const ModelConfig& cfg, const NeedlePrompt& prompt, const PositionPlan& plan,
                        const std::function<void()>& checkpoint = {});
// The cell from the pass's outputs: rows = the logits of rows prompt_tokens−1 .. n−1 (vocab each),
// row_attention = ForwardResult::row_attention of the answer rows prompt_tokens−1+t.
NeedleCell needle_cell_from_pass(const NeedlePrompt& prompt, int layers, int heads, int vocab,
                                 const std::vector<float>& logits, const std::vector<float>& row_attention);

// tasks × lengths × depths, one pass each; progress(done, total) after every cell, checkpoint
// between layers (may throw to cancel).
NeedleGrid run_needle_grid(Forward& forward, const ModelConfig& cfg, const Tokenizer& tok, const std::vector<int>& lengths,
                           const std::vector<double>& depths, const NeedleOptions& options, const PlanBuilder& make_plan,
                           const std::function<void(int done, int total)>& progress = {},
                           const std::function<void()>& checkpoint = {});

}  // namespace xl
