// Perplexity scoring protocols (position-methods.md §17): which windows of a token stream are
// run through the model, and which tokens of each window are scored. Numbers from different
// protocols are not comparable, so every output names the protocol.
//
//   Protocol p = parse_protocol("sliding:256");
//   for (const ScoreWindow& w : plan_windows(p, stream.size(), /*length*/ 1024, /*max*/ 0)) ...
//
// all        consecutive non-overlapping windows of L tokens (tail dropped); every token of a
//            window but its first is scored: L-1 per window.
// half       llama.cpp's perplexity tool: the same windows ("chunks"); the first token of each
//            chunk is replaced by BOS (as llama.cpp does when the vocabulary adds BOS); with
//            first = L/2, tokens first+1 .. L-1 are scored: L-1-L/2 per chunk (255 at L = 512).
//            Unlike llama.cpp we do not insist on at least 2 chunks.
// sliding:S  the PI/YaRN papers' sliding window (YaRN repository eval/perplexity.py): windows
//            [b, min(b+L, N)) for b = 0, S, 2S, ...; each window scores only the tokens not
//            scored before (its last `end - previous end` tokens, never its first token); stops
//            after the window that reaches the end of the stream, so the last one may be shorter.
//            The papers average per-window mean losses; we average per token (the exact mean).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xl {

enum class ProtocolKind { All, Half, Sliding };

struct Protocol {
    ProtocolKind kind = ProtocolKind::All;
    int stride = 0;                  // sliding only, tokens (> 0)
    std::string name() const;        // canonical: "all", "half", "sliding:256"
    std::string description() const; // one line for human outputs
};

// "all", "half", "sliding:S" (S a positive integer). Throws Error(BadArgument) naming the text.
Protocol parse_protocol(const std::string& text);

// One forward run: tokens [start, start+length) of the stream; targets at window positions
// first_target .. length-1 are scored (position p is predicted by nll[p-1]).
struct ScoreWindow {
    int64_t start = 0;
    int length = 0;
    int first_target = 1;            // >= 1
    bool bos_first = false;          // replace the window's first token by BOS before running
    int scored() const { return length - first_target; }
};

// Windows of `protocol` over a stream of n_tokens at window length `length` (>= 2), the first
// `max_windows` of them when max_windows > 0. Empty when the stream is shorter than one window.
std::vector<ScoreWindow> plan_windows(const Protocol& protocol, int64_t n_tokens, int length,
                                      int max_windows = 0);

}  // namespace xl
