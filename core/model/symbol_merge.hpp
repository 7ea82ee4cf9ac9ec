// The pairwise merge loop shared by the byte-level BPE (merge ranks) and the llama.cpp-style
// SentencePiece tokenizer (piece scores): a word starts as one symbol per UTF-8 character, and the
// adjacent pair of highest priority is merged, leftmost first on ties, until no pair has one.
// A heap of candidate pairs makes it O(n log n); pairs made stale by a merge are skipped.
//
//   auto sym = utf8_symbols(word);
//   merge_symbols(sym, word, [&](std::string_view l, std::string_view r) -> std::optional<double> {...});
//   for_each_symbol(sym, word, [&](std::string_view s) { ... });
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <string_view>
#include <vector>

namespace xl {

struct MergeSymbol {
    size_t at = 0, n = 0;   // bytes [at, at + n) of the word; n = 0 once merged into its left neighbour
    int prev = -1, next = -1;
};

// One symbol per UTF-8 character, its length read from the lead byte as llama.cpp does
// (a stray continuation byte is a character of its own).
inline std::vector<MergeSymbol> utf8_symbols(std::string_view text) {
    static const uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
    std::vector<MergeSymbol> sym;
    for (size_t at = 0; at < text.size();) {
        const size_t len = std::min(text.size() - at, size_t(kLen[uint8_t(text[at]) >> 4]));
        sym.push_back({at, len, int(sym.size()) - 1, -1});
        at += len;
    }
    for (size_t i = 0; i + 1 < sym.size(); ++i) sym[i].next = int(i + 1);
    return sym;
}

// priority(left text, right text): the pair's merge priority (higher first), or nullopt.
template <class Priority>
void merge_symbols(std::vector<MergeSymbol>& sym, std::string_view text, Priority priority) {
    struct Pair { double priority; int left, right; size_t size; };
    auto after = [](const Pair& a, const Pair& b) {
        return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
    };
    std::priority_queue<Pair, std::vector<Pair>, decltype(after)> queue(after);
    auto view = [&](int i) { return text.substr(sym[size_t(i)].at, sym[size_t(i)].n); };
    auto add = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        if (const std::optional<double> p = priority(view(l), view(r)))
            queue.push({*p, l, r, sym[size_t(l)].n + sym[size_t(r)].n});
    };
    for (size_t i = 0; i + 1 < sym.size(); ++i) add(int(i), int(i + 1));
    while (!queue.empty()) {
        const Pair p = queue.top();
        queue.pop();
        MergeSymbol &l = sym[size_t(p.left)], &r = sym[size_t(p.right)];
        if (l.n == 0 || r.n == 0 || l.next != p.right || l.n + r.n != p.size) continue;  // stale
        l.n += r.n;
        r.n = 0;
        l.next = r.next;
        if (r.next >= 0) sym[size_t(r.next)].prev = p.left;
        add(l.prev, p.left);
        add(p.left, l.next);
    }
}

// fn(text) for each symbol left after merging, in order.
template <class Fn>
void for_each_symbol(const std::vector<MergeSymbol>& sym, std::string_view text, Fn fn) {
    for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[size_t(i)].next) fn(text.substr(sym[size_t(i)].at, sym[size_t(i)].n));
}

}  // namespace xl
