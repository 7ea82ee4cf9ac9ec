// Passkey retrieval (the prompt of the Position Interpolation and Landmark Attention papers):
// a task line, filler text with one line holding a 5-digit key at a chosen depth, a question;
// the model's greedy answer counts as correct when its first digits are the key.
//
//   There is an important info hidden inside a lot of irrelevant text. Find it and memorize them.
//   I will quiz you about the important information there.
//   The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again. ...
//   The pass key is 68194. Remember it. 68194 is the pass key.
//   The grass is green. ... There and back again.
//   What is the pass key? The pass key is
//
//   PasskeyPrompt p = build_passkey_prompt(tok, /*target tokens*/ 1024, /*depth*/ 0.5, 68194);
//   PasskeyGrid g = run_passkey_grid(cpu, tok, {512, 1024}, {0, 0.5, 1}, opts, plans);
//   g.cells[i].accuracy();
//
// The filler is counted in sentences (five per repetition), so the prompt is the longest one
// whose token count is <= the target (it falls short by less than one sentence's tokens). The
// key line sits after round(depth · sentences) filler sentences.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/perplexity.hpp"
#include "core/model/tokenizer.hpp"

namespace xl {

struct PasskeyPrompt {
    std::string text;
    std::vector<int> tokens;          // with BOS when the tokenizer has one
    int passkey = 0;
    int target_tokens = 0;
    int filler_sentences = 0;         // total
    int sentences_before = 0;         // before the key line
    int key_token_position = 0;       // token index where the key line starts (within `tokens`)
    double depth = 0;                 // requested depth fraction in [0, 1]
    double actual_depth() const;      // key_token_position / tokens.size()
};

// Throws Error(BadArgument) when depth is outside [0, 1], the key is not 5 digits, or even the
// prompt without filler exceeds the target.
PasskeyPrompt build_passkey_prompt(const Tokenizer& tok, int target_tokens, double depth, int passkey);

// The same haystack (task line, filler sentences, question last) around any needle line: the
// passkey prompt is build_haystack_prompt(tok, L, depth, {passkey_task(), passkey_key_line(key),
// passkey_question()}); passkey stays 0. Throws like build_passkey_prompt (depth, fit).
struct HaystackText {
    std::string task, needle, question;
    std::string subject = "passkey";  // names the prompt in errors
};
PasskeyPrompt build_haystack_prompt(const Tokenizer& tok, int target_tokens, double depth, const HaystackText& text);
const std::string& passkey_task();
const std::string& passkey_question();
std::string passkey_key_line(int key);

// The first run of digits in `text` ("" when none), e.g. " 68194. Remember" → "68194".
std::string first_digits(const std::string& text);
// Correct when the answer's first digits equal the key (exactly five digits).
bool passkey_correct(const std::string& answer, int passkey);

struct PasskeyTrial {
    int passkey = 0;
    int prompt_tokens = 0;
    int key_token_position = 0;
    std::string answer;               // greedy continuation text
    bool correct = false;
};

struct PasskeyCell {
    int target_tokens = 0;
    double depth = 0;
    std::vector<PasskeyTrial> trials;
    int correct() const;
    double accuracy() const;          // correct / trials (NaN when none)
};

struct PasskeyOptions {
    int trials = 1;                   // keys per (length, depth) cell
    int max_new_tokens = 8;           // greedy tokens generated (stops after 5 digits and a non-digit)
    uint64_t seed = 1;                // seeds the keys (uniform in 10000..99999)
};

struct PasskeyGrid {
    std::vector<PasskeyCell> cells;   // length-major: cells[i·depths + j]
    std::vector<int> lengths;
    std::vector<double> depths;
    double accuracy() const;          // over every trial
};

// Greedy answer for one prompt: generates up to max_new_tokens after `prompt`, stopping at EOS
// or BOS, or once five digits and a following non-digit have been produced.
std::string passkey_answer(Forward& forward, const Tokenizer& tok, const std::vector<int>& prompt,
                           int max_new_tokens, const PlanBuilder& make_plan);

// The keys of every cell: `trials` draws seeded by options.seed.
std::vector<int> passkey_keys(const PasskeyOptions& options);
// One (length, depth) cell of the grid; cells are numbered length-major (c = i·depths + j), the
// numbering shards use (core/metrics/sweep_shard.hpp).
PasskeyCell run_passkey_cell(Forward& forward, const Tokenizer& tok, int length, double depth,
                             const std::vector<int>& keys, const PasskeyOptions& options, const PlanBuilder& make_plan);

// Accuracy over lengths × depths, `trials` keys per cell (the same keys for every cell).
PasskeyGrid run_passkey_grid(Forward& forward, const Tokenizer& tok, const std::vector<int>& lengths,
                             const std::vector<double>& depths, const PasskeyOptions& options,
                             const PlanBuilder& make_plan);

// CSV with a header naming the protocol: target_tokens,depth,trials,correct,accuracy
std::string passkey_grid_csv(const PasskeyGrid& grid);
// The table for people: device, method, one line per cell, overall accuracy.
std::string passkey_grid_table(const PasskeyGrid& grid, const std::string& method, const std::string& device);

}  // namespace xl
