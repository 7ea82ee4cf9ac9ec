// SentencePiece-style BPE over a scored vocabulary, as llama2.c's `encode`/`decode` define it;
// shared by llama2.c tokenizer.bin files and GGUF `llama` vocabularies.
//
//   xl::SpmVocab v;  v.pieces = {...}; v.scores = {...};   // pieces use ' ' (not U+2581) for space
//   xl::SentencePieceBpe tok(std::move(v), "llama2.c tokenizer.bin");
//   auto ids = tok.encode("Once upon a time", /*add_bos*/ true);   // [1, ...]
//
// Encode: a dummy prefix space when the text is non-empty; each UTF-8 code point (up to 4 bytes,
// grouped as llama2.c groups them) becomes its piece, else its bytes become <0xNN> byte tokens
// (found by name, so their base id need not be 3), else <unk> for vocabularies without byte
// fallback; then the adjacent pair whose concatenation is the best-scoring piece is merged,
// leftmost first on ties, until no pair merges (a heap makes this O(n log n); the merge order is
// the same as llama2.c's quadratic scan). Decode: control tokens (BOS/EOS) give "", a leading
// space is stripped right after BOS, <0xNN> gives the raw byte.
#pragma once
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/tokenizer.hpp"

namespace xl {

struct SpmVocab {
    std::vector<std::string> pieces;   // token text; space as ' '
    std::vector<float> scores;         // merge priority (higher merges first)
    std::vector<bool> control;         // control tokens (decode to ""); empty = only bos/eos
    int bos = 1, eos = 2, unk = 0;     // -1 when absent
};

class SentencePieceBpe : public Tokenizer {
public:
    SentencePieceBpe(SpmVocab vocab, std::string kind);

    std::vector<int> encode(std::string_view text, bool add_bos) const override;
    std::string decode_token(int prev, int token) const override;
    int vocab_size() const override { return int(v_.pieces.size()); }
    int bos() const override { return v_.bos; }
    int eos() const override { return v_.eos; }
    std::string kind() const override { return kind_; }

    const std::string& piece(int id) const { return v_.pieces.at(size_t(id)); }
    float score(int id) const { return v_.scores.at(size_t(id)); }
    int find(std::string_view piece) const;       // first id with that text, -1 if none
    bool has_byte_fallback() const { return byte_token_[0] >= 0; }
    int byte_token(uint8_t b) const { return byte_token_[b]; }  // id of <0xNN>, -1 if none

private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    void initial_tokens(std::string_view text, std::vector<int>& out) const;
    void merge(std::vector<int>& ids) const;

    SpmVocab v_;
    std::string kind_;
    std::unordered_map<std::string, int, Hash, std::equal_to<>> lookup_;
    std::array<int, 256> byte_token_{};     // all 256 or none (-1)
    std::vector<int> byte_of_token_;        // 0..255 for <0xNN> tokens, -1 otherwise
};

}  // namespace xl
