// SentencePiece vocabularies of GGUF `llama` tokenizer models (Llama 2, Gemma, stories260K), as
// llama.cpp's llm_tokenizer_spm encodes: special tokens first (SpecialTokens: Gemma's user-defined
// newline and space runs, and control tokens such as <start_of_turn> when parse_special); each
// text piece gets a leading space when add_space_prefix and it follows a special token or starts
// the text, spaces become U+2581, one symbol per UTF-8 character, then the adjacent pair whose
// concatenation is a token with the highest score merges (leftmost on ties) until none applies;
// a final symbol that is not a token becomes its <0xNN> byte tokens.
//
//   xl::LlamaSpm tok(std::move(vocab), "gemma sentencepiece");
//   tok.encode("Hello", true);   // [2, ...] for Gemma (add_bos_token true, bos 2)
//
// decode_token: normal pieces with U+2581 as space (the space that add_space_prefix put after
// BOS dropped), byte tokens their byte, user-defined tokens their text, control/unknown "".
#pragma once
#include <array>
#include <string>
#include <unordered_map>

#include "core/model/special_tokens.hpp"
#include "core/model/tokenizer.hpp"
#include "core/model/vocab.hpp"

namespace xl {

class LlamaSpm : public Tokenizer {
public:
    LlamaSpm(Vocab vocab, std::string kind);

    // add_bos: add the BOS (and EOS) tokens the vocabulary asks for (llama.cpp's add_special).
    std::vector<int> encode(std::string_view text, bool add_bos) const override;
    std::string decode_token(int prev, int token) const override;
    int vocab_size() const override { return int(v_.tokens.size()); }
    int bos() const override { return v_.add_bos ? v_.bos : -1; }
    int eos() const override { return v_.eos; }
    std::string kind() const override { return kind_; }

    const Vocab& vocab() const { return v_; }
    int find(std::string_view text) const;  // id of the stored text (U+2581 for space), -1 if none

private:
    void encode_piece(const std::string& text, std::vector<int>& out) const;

    Vocab v_;
    std::string kind_;
    SpecialTokens specials_;
    std::unordered_map<std::string_view, int> ids_;  // views into v_.tokens; last id of a duplicate
    std::array<int, 256> byte_token_{};               // <0xNN> ids, -1 if missing
    std::vector<std::string> decoded_;
};

}  // namespace xl
