#include "core/model/byte_level_bpe.hpp"

#include "core/model/symbol_merge.hpp"


namespace xl {

char32_t byte_level_char(uint8_t b) {
    // Printable bytes ('!'..'~', U+00A1..U+00AC, U+00AE..U+00FF) stand for themselves; the others
    // take U+0100 + their index among the non-printable bytes (GPT-2 encoder.py).
    auto printable = [](int c) { return (c >= 0x21 && c <= 0x7E) || (c >= 0xA1 && c <= 0xAC) || (c >= 0xAE && c <= 0xFF); };
    if (printable(b)) return b;
    int n = 0;
    for (int c = 0; c < b; ++c) n += printable(c) ? 0 : 1;
    return char32_t(0x100 + n);
}

ByteLevelBpe::ByteLevelBpe(Vocab vocab, PreTokenizer pre, std::string kind)
    : v_(std::move(vocab)), pre_(pre), kind_(std::move(kind)), specials_(v_) {
    ignore_merges_ = v_.ignore_merges;
    ids_.reserve(v_.tokens.size());
    for (size_t id = 0; id < v_.tokens.size(); ++id) ids_[v_.tokens[id]] = int(id);
    ranks_.reserve(v_.merges.size());
    for (size_t r = 0; r < v_.merges.size(); ++r) ranks_.emplace(v_.merges[r], int(r));
    for (int b = 0; b < 256; ++b) {
        const char32_t c = byte_level_char(uint8_t(b));
        append_utf8(byte_chars_[size_t(b)], c);
        char_bytes_[c] = uint8_t(b);
    }
    decoded_.resize(v_.tokens.size());
    for (size_t id = 0; id < v_.tokens.size(); ++id) {
        if (v_.kinds[id] == TokenKind::UserDefined) {
            decoded_[id] = v_.tokens[id];
        } else if (v_.kinds[id] == TokenKind::Normal) {
            for (char32_t c : utf8_code_points(v_.tokens[id])) {
                auto it = char_bytes_.find(c);
                if (it != char_bytes_.end()) {
                    decoded_[id] += char(it->second);
                } else {
                    append_utf8(decoded_[id], c);  // not a byte character: kept as text
                }
            }
        }
    }
}

int ByteLevelBpe::find(std::string_view text) const {
    auto it = ids_.find(std::string(text));
    return it == ids_.end() ? -1 : it->second;
}

int ByteLevelBpe::rank(std::string_view left, std::string_view right) const {
    std::string key;
    key.reserve(left.size() + right.size() + 1);
    key.append(left).append(" ").append(right);
    auto it = ranks_.find(key);
    return it == ranks_.end() ? -1 : it->second;
}

void ByteLevelBpe::encode_word(const std::string& word, std::vector<int>& out) const {
    if (ignore_merges_) {
        if (int id = find(word); id >= 0) return out.push_back(id);
    }
    std::vector<MergeSymbol> sym = utf8_symbols(word);
    merge_symbols(sym, word, [&](std::string_view l, std::string_view r) -> std::optional<double> {
        const int k = rank(l, r);  // lower rank merges first
        return k >= 0 ? std::optional<double>(-double(k)) : std::nullopt;
    });
    for_each_symbol(sym, word, [&](std::string_view s) {
        if (int id = find(s); id >= 0) return out.push_back(id);
        for (char b : s)  // llama.cpp: each byte of the symbol that is a token on its own
            if (int id = find(std::string_view(&b, 1)); id >= 0) out.push_back(id);
    });
}

std::vector<int> ByteLevelBpe::encode(std::string_view text, bool add_bos) const {
    std::vector<int> ids;
    if (add_bos && v_.add_bos && v_.bos >= 0) ids.push_back(v_.bos);
    std::string encoded;
    for (const Fragment& f : specials_.partition(text)) {
        if (f.token >= 0) {
            ids.push_back(f.token);
            continue;
        }
        for (const std::string& word : pre_tokenize(text.substr(f.begin, f.size), pre_)) {
            encoded.clear();
            for (unsigned char b : word) encoded += byte_chars_[b];
            encode_word(encoded, ids);
        }
    }
    if (add_bos && v_.add_eos && v_.eos >= 0) ids.push_back(v_.eos);
    return ids;
}

std::string ByteLevelBpe::decode_token(int /*prev*/, int token) const {
    if (token < 0 || token >= vocab_size()) return {};
    return decoded_[size_t(token)];
}

}  // namespace xl
