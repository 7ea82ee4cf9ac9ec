#include "core/model/llama_spm.hpp"

#include <cstdio>
#include <queue>

namespace xl {
namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's visible space

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

int byte_of_piece(std::string_view p) {  // "<0xNN>" -> NN, else -1
    if (p.size() != 6 || p.substr(0, 3) != "<0x" || p[5] != '>') return -1;
    const int hi = hex_digit(p[3]), lo = hex_digit(p[4]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    std::string out;
    out.reserve(s.size() + s.size() / 2);
    size_t at = 0;
    for (size_t hit; (hit = s.find(from, at)) != std::string::npos; at = hit + from.size())
        out.append(s, at, hit - at).append(to);
    return out.append(s, at, std::string::npos);
}

}  // namespace

LlamaSpm::LlamaSpm(Vocab vocab, std::string kind) : v_(std::move(vocab)), kind_(std::move(kind)), specials_(v_) {
    ids_.reserve(v_.tokens.size());
    byte_token_.fill(-1);
    decoded_.resize(v_.tokens.size());
    for (size_t id = 0; id < v_.tokens.size(); ++id) {
        const std::string& t = v_.tokens[id];
        ids_[std::string_view(t)] = int(id);
        const TokenKind k = v_.kinds[id];
        const int b = byte_of_piece(t);
        if (k == TokenKind::Byte && b >= 0) {
            byte_token_[size_t(b)] = int(id);
            decoded_[id] = std::string(1, char(b));
        } else if (k == TokenKind::UserDefined) {
            decoded_[id] = t;
        } else if (k == TokenKind::Normal) {
            decoded_[id] = replace_all(t, kSpace, " ");
        }
    }
    for (int b = 0; b < 256; ++b)  // vocabularies without byte-typed pieces: find them by name
        if (byte_token_[size_t(b)] < 0) {
            char name[7];
            std::snprintf(name, sizeof name, "<0x%02X>", b);
            byte_token_[size_t(b)] = find(name);
        }
}

int LlamaSpm::find(std::string_view text) const {
    auto it = ids_.find(text);
    return it == ids_.end() ? -1 : it->second;
}

void LlamaSpm::encode_piece(const std::string& text, std::vector<int>& out) const {
    struct Sym { size_t at, n; int prev, next; };
    std::vector<Sym> sym;
    for (size_t at = 0; at < text.size();) {  // UTF-8 length from the lead byte, as llama.cpp
        static const uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
        const size_t len = std::min(text.size() - at, size_t(kLen[uint8_t(text[at]) >> 4]));
        sym.push_back({at, len, int(sym.size()) - 1, -1});
        at += len;
    }
    for (size_t i = 0; i + 1 < sym.size(); ++i) sym[i].next = int(i + 1);
    auto view = [&](size_t at, size_t n) { return std::string_view(text).substr(at, n); };
    struct Pair { float score; int left, right; size_t size; };
    auto lower = [](const Pair& a, const Pair& b) { return a.score < b.score || (a.score == b.score && a.left > b.left); };
    std::priority_queue<Pair, std::vector<Pair>, decltype(lower)> queue(lower);
    auto add = [&](int l, int r) {
        if (l < 0 || r < 0) return;
        const size_t n = sym[size_t(l)].n + sym[size_t(r)].n;
        const int id = find(view(sym[size_t(l)].at, n));
        if (id >= 0) queue.push({v_.scores.empty() ? 0.f : v_.scores[size_t(id)], l, r, n});
    };
    for (size_t i = 0; i + 1 < sym.size(); ++i) add(int(i), int(i + 1));
    while (!queue.empty()) {
        const Pair p = queue.top();
        queue.pop();
        Sym &l = sym[size_t(p.left)], &r = sym[size_t(p.right)];
        if (l.n == 0 || r.n == 0 || l.n + r.n != p.size) continue;  // one side merged since
        l.n += r.n;
        r.n = 0;
        l.next = r.next;
        if (r.next >= 0) sym[size_t(r.next)].prev = p.left;
        add(l.prev, p.left);
        add(p.left, l.next);
    }
    for (int i = sym.empty() ? -1 : 0; i >= 0; i = sym[size_t(i)].next) {
        const std::string_view s = view(sym[size_t(i)].at, sym[size_t(i)].n);
        if (int id = find(s); id >= 0) {
            out.push_back(id);
            continue;
        }
        for (unsigned char b : s)
            if (byte_token_[b] >= 0) out.push_back(byte_token_[b]);
            else if (v_.unk >= 0) out.push_back(v_.unk);
    }
}

std::vector<int> LlamaSpm::encode(std::string_view text, bool add_bos) const {
    std::vector<int> ids;
    if (add_bos && v_.add_bos && v_.bos >= 0) ids.push_back(v_.bos);
    bool after_special = true;  // the text's start counts as following a special token
    for (const Fragment& f : specials_.partition(text)) {
        if (f.token >= 0) {
            ids.push_back(f.token);
            after_special = true;
            continue;
        }
        std::string piece = v_.add_space_prefix && after_special ? " " : "";
        piece.append(text.substr(f.begin, f.size));
        encode_piece(replace_all(std::move(piece), " ", kSpace), ids);
        after_special = false;
    }
    if (add_bos && v_.add_eos && v_.eos >= 0) ids.push_back(v_.eos);
    return ids;
}

std::string LlamaSpm::decode_token(int prev, int token) const {
    if (token < 0 || token >= vocab_size()) return {};
    const std::string& d = decoded_[size_t(token)];
    if (v_.add_space_prefix && prev >= 0 && prev == v_.bos && !d.empty() && d[0] == ' ' &&
        v_.kinds[size_t(token)] == TokenKind::Normal)
        return d.substr(1);
    return d;
}

}  // namespace xl
