// Special tokens written in the text, found before the tokenizer model runs (llama.cpp's
// tokenizer_st_partition): longer special tokens first; each splits every piece of text still
// unclaimed at each of its non-overlapping occurrences, leftmost first. User-defined tokens are
// always matched; control and unknown tokens only when `parse_special` (llama.cpp's
// parse_special / llama-cpp-python's tokenize(special=True)). A trie over the special texts
// finds all occurrences in one pass, so a vocabulary with thousands of them stays fast.
//
//   xl::SpecialTokens st(vocab);
//   for (const xl::Fragment& f : st.partition(text)) f.token >= 0 ? ... : text.substr(f.begin, f.size)
#pragma once
#include <cstddef>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/vocab.hpp"

namespace xl {

struct Fragment {
    size_t begin = 0, size = 0;  // raw text [begin, begin + size) when token < 0
    int token = -1;              // a special token otherwise
};

class SpecialTokens {
public:
    explicit SpecialTokens(const Vocab& v);
    std::vector<Fragment> partition(std::string_view text) const;
    size_t count() const { return ids_.size(); }

private:
    struct Node { int child = -1, sibling = -1, rank = -1; unsigned char byte = 0; };
    int step(int node, unsigned char b) const;
    std::vector<int> ids_;          // special tokens, longest first (ties: lower id first)
    std::vector<size_t> lengths_;   // their byte lengths, by rank
    std::vector<Node> nodes_;       // trie; node 0 is the root
    std::vector<int> root_next_;    // root's children by first byte (-1 none)
};

}  // namespace xl
