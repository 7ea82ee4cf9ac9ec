#include "core/model/special_tokens.hpp"

#include <algorithm>
#include <numeric>

namespace xl {

SpecialTokens::SpecialTokens(const Vocab& v) : root_next_(256, -1) {
    for (size_t id = 0; id < v.tokens.size(); ++id) {
        const TokenKind k = v.kinds[id];
        const bool always = k == TokenKind::UserDefined;
        const bool when_parsing = k == TokenKind::Control || k == TokenKind::Unknown;
        if (!v.tokens[id].empty() && (always || (when_parsing && v.parse_special))) ids_.push_back(int(id));
    }
    std::stable_sort(ids_.begin(), ids_.end(),
                     [&](int a, int b) { return v.tokens[size_t(a)].size() > v.tokens[size_t(b)].size(); });
    nodes_.push_back({});  // root
    for (size_t rank = 0; rank < ids_.size(); ++rank) {
        const std::string& t = v.tokens[size_t(ids_[rank])];
        lengths_.push_back(t.size());
        int node = 0;
        for (size_t i = 0; i < t.size(); ++i) {
            const unsigned char b = static_cast<unsigned char>(t[i]);
            int next = node == 0 ? root_next_[b] : step(node, b);
            if (next < 0) {
                next = int(nodes_.size());
                nodes_.push_back({-1, -1, -1, b});
                if (node == 0) {
                    root_next_[b] = next;
                } else {
                    nodes_[size_t(next)].sibling = nodes_[size_t(node)].child;
                    nodes_[size_t(node)].child = next;
                }
            }
            node = next;
        }
        if (nodes_[size_t(node)].rank < 0) nodes_[size_t(node)].rank = int(rank);  // duplicates: first wins
    }
}

int SpecialTokens::step(int node, unsigned char b) const {
    for (int c = nodes_[size_t(node)].child; c >= 0; c = nodes_[size_t(c)].sibling)
        if (nodes_[size_t(c)].byte == b) return c;
    return -1;
}

std::vector<Fragment> SpecialTokens::partition(std::string_view text) const {
    struct Hit { int rank; size_t pos; };
    std::vector<Hit> hits;
    for (size_t pos = 0; pos < text.size() && !ids_.empty(); ++pos) {
        int node = root_next_[static_cast<unsigned char>(text[pos])];
        for (size_t k = 1; node >= 0; ++k) {
            if (nodes_[size_t(node)].rank >= 0) hits.push_back({nodes_[size_t(node)].rank, pos});
            if (pos + k >= text.size()) break;
            node = step(node, static_cast<unsigned char>(text[pos + k]));
        }
    }
    std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
        return a.rank != b.rank ? a.rank < b.rank : a.pos < b.pos;
    });
    // Longest tokens claim first; a token's occurrences are taken left to right, without overlap.
    std::vector<uint8_t> claimed(text.size(), 0);
    std::vector<Fragment> found;
    int rank = -1;
    size_t last_end = 0;
    for (const Hit& h : hits) {
        if (h.rank != rank) rank = h.rank, last_end = 0;
        const size_t len = lengths_[size_t(h.rank)];
        if (h.pos < last_end) continue;
        if (std::any_of(claimed.begin() + long(h.pos), claimed.begin() + long(h.pos + len), [](uint8_t c) { return c; }))
            continue;
        std::fill(claimed.begin() + long(h.pos), claimed.begin() + long(h.pos + len), 1);
        found.push_back({h.pos, len, ids_[size_t(h.rank)]});
        last_end = h.pos + len;
    }
    std::sort(found.begin(), found.end(), [](const Fragment& a, const Fragment& b) { return a.begin < b.begin; });
    std::vector<Fragment> out;
    size_t at = 0;
    for (const Fragment& f : found) {
        if (f.begin > at) out.push_back({at, f.begin - at, -1});
        out.push_back(f);
        at = f.begin + f.size;
    }
    if (at < text.size()) out.push_back({at, text.size() - at, -1});
    return out;
}

}  // namespace xl
