#include "core/model/sentencepiece_bpe.hpp"

#include <cassert>
#include <cstdio>
#include <queue>

namespace xl {
namespace {

// "<0xNN>" (upper-case hex, as SentencePiece writes byte pieces) -> NN, else -1.
int parse_byte_piece(std::string_view p) {
    if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
    int v = 0;
    for (char c : p.substr(3, 2)) {
        v <<= 4;
        if (c >= '0' && c <= '9') v |= c - '0';
        else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
        else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
        else return -1;
    }
    return v;
}

}  // namespace

SentencePieceBpe::SentencePieceBpe(SpmVocab vocab, std::string kind)
    : v_(std::move(vocab)), kind_(std::move(kind)) {
    assert(v_.scores.size() == v_.pieces.size());
    assert(v_.control.empty() || v_.control.size() == v_.pieces.size());
    lookup_.reserve(v_.pieces.size());
    byte_of_token_.assign(v_.pieces.size(), -1);
    byte_token_.fill(-1);
    for (size_t id = 0; id < v_.pieces.size(); ++id) {
        lookup_.emplace(v_.pieces[id], int(id));  // keeps the first id of a duplicated piece
        const int b = parse_byte_piece(v_.pieces[id]);
        if (b >= 0) {
            byte_of_token_[id] = b;
            if (byte_token_[size_t(b)] < 0) byte_token_[size_t(b)] = int(id);
        }
    }
    // Byte fallback needs all 256 byte pieces; a partial set is ignored (unknown -> <unk>).
    for (int id : byte_token_)
        if (id < 0) { byte_token_.fill(-1); break; }
}

int SentencePieceBpe::find(std::string_view piece) const {
    auto it = lookup_.find(piece);
    return it == lookup_.end() ? -1 : it->second;
}

// One token per UTF-8 code point, grouped like llama2.c: a non-continuation byte starts a new
// group, continuation bytes (10xxxxxx) join it up to 4 bytes.
void SentencePieceBpe::initial_tokens(std::string_view text, std::vector<int>& out) const {
    auto emit = [&](std::string_view cp) {
        if (int id = find(cp); id >= 0) {
            out.push_back(id);
        } else if (has_byte_fallback()) {
            for (unsigned char b : cp) out.push_back(byte_token_[b]);
        } else if (v_.unk >= 0) {
            out.push_back(v_.unk);
        }
    };
    if (!text.empty()) emit(" ");  // dummy prefix, as SentencePiece's add_dummy_prefix
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const bool next_continues = i + 1 < text.size() && (uint8_t(text[i + 1]) & 0xC0) == 0x80;
        if (next_continues && i + 1 - start < 4) continue;
        emit(text.substr(start, i + 1 - start));
        start = i + 1;
    }
}

void SentencePieceBpe::merge(std::vector<int>& ids) const {
    const int n = int(ids.size());
    if (n < 2) return;
    std::vector<int> prev(ids.size()), next(ids.size());
    std::vector<uint32_t> version(ids.size(), 0);
    for (int i = 0; i < n; ++i) { prev[i] = i - 1; next[i] = i + 1 < n ? i + 1 : -1; }

    struct Cand { float score; int left, right, id; uint32_t vl, vr; };
    // Highest score first; on equal scores the leftmost pair (llama2.c's first strict maximum).
    auto lower = [](const Cand& a, const Cand& b) {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    };
    std::priority_queue<Cand, std::vector<Cand>, decltype(lower)> heap(lower);
    std::string buf;
    auto try_pair = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        buf = v_.pieces[size_t(ids[l])];
        buf += v_.pieces[size_t(ids[r])];
        if (int id = find(buf); id >= 0) heap.push({v_.scores[size_t(id)], l, r, id, version[l], version[r]});
    };
    for (int i = 0; i + 1 < n; ++i) try_pair(i, i + 1);
    while (!heap.empty()) {
        const Cand c = heap.top();
        heap.pop();
        if (version[c.left] != c.vl || version[c.right] != c.vr || next[c.left] != c.right) continue;
        ids[c.left] = c.id;
        ++version[c.left];
        ++version[c.right];  // dead from now on
        next[c.left] = next[c.right];
        if (next[c.right] >= 0) prev[next[c.right]] = c.left;
        try_pair(prev[c.left], c.left);
        try_pair(c.left, next[c.left]);
    }
    std::vector<int> out;
    for (int i = 0; i >= 0; i = next[i]) out.push_back(ids[i]);
    ids = std::move(out);
}

std::vector<int> SentencePieceBpe::encode(std::string_view text, bool add_bos) const {
    std::vector<int> ids;
    initial_tokens(text, ids);
    merge(ids);
    if (add_bos && v_.bos >= 0) ids.insert(ids.begin(), v_.bos);
    return ids;
}

std::string SentencePieceBpe::decode_token(int prev, int token) const {
    assert(token >= 0 && token < vocab_size());
    const bool is_control =
        v_.control.empty() ? (token == v_.bos || token == v_.eos) : bool(v_.control[size_t(token)]);
    if (is_control) return {};
    if (byte_of_token_[size_t(token)] >= 0) return std::string(1, char(byte_of_token_[size_t(token)]));
    const std::string& p = v_.pieces[size_t(token)];
    if (v_.bos >= 0 && prev == v_.bos && !p.empty() && p[0] == ' ') return p.substr(1);
    return p;
}

}  // namespace xl
