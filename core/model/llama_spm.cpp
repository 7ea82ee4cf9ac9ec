#include "core/model/llama_spm.hpp"

#include "core/model/symbol_merge.hpp"

#include <cstdio>

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
    std::vector<MergeSymbol> sym = utf8_symbols(text);
    const std::string_view whole(text);
    merge_symbols(sym, whole, [&](std::string_view l, std::string_view r) -> std::optional<double> {
        // Adjacent views of one string: their concatenation is the piece to look up.
        const int id = find(std::string_view(l.data(), l.size() + r.size()));
        if (id < 0) return std::nullopt;
        return v_.scores.empty() ? 0.0 : double(v_.scores[size_t(id)]);  // higher score merges first
    });
    for_each_symbol(sym, whole, [&](std::string_view s) {
        if (int id = find(s); id >= 0) return out.push_back(id);
        for (unsigned char b : s)
            if (byte_token_[b] >= 0) out.push_back(byte_token_[b]);
            else if (v_.unk >= 0) out.push_back(v_.unk);
    });
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
