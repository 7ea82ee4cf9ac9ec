// Byte-level BPE of GGUF `gpt2` vocabularies (GPT-2, SmolLM, Llama 3, Qwen2), as llama.cpp's
// llm_tokenizer_bpe encodes: special tokens first (SpecialTokens), then the pre-tokenizer cuts
// each text piece into words; a word's UTF-8 bytes map to the GPT-2 byte characters
// (bytes_to_unicode: printable Latin-1 stays, the other 68 bytes move to U+0100...); inside a
// word the adjacent pair with the lowest merge rank merges, leftmost first on ties, until none
// applies. With `ignore_merges` (Llama 3) a word that is itself a token is taken whole.
// A final symbol that is not a token falls back to its single-byte tokens.
//
//   xl::ByteLevelBpe tok(std::move(vocab), xl::PreTokenizer::Smollm);
//   tok.encode("Hello world", true);   // BOS only when the vocabulary adds it (add_bos_token)
//
// decode_token: normal tokens give their bytes back; user-defined tokens their text; control
// and unknown tokens "" (llama.cpp's token_to_piece with special=false).
#pragma once
#include <array>
#include <string>
#include <unordered_map>

#include "core/model/pretokenize.hpp"
#include "core/model/special_tokens.hpp"
#include "core/model/tokenizer.hpp"
#include "core/model/vocab.hpp"

namespace xl {

class ByteLevelBpe : public Tokenizer {
public:
    ByteLevelBpe(Vocab vocab, PreTokenizer pre, std::string kind);

    // add_bos: add the BOS (and EOS) tokens the vocabulary asks for (llama.cpp's add_special).
    std::vector<int> encode(std::string_view text, bool add_bos) const override;
    std::string decode_token(int prev, int token) const override;
    int vocab_size() const override { return int(v_.tokens.size()); }
    int bos() const override { return v_.add_bos ? v_.bos : -1; }
    int eos() const override { return v_.eos; }
    std::string kind() const override { return kind_; }

    const Vocab& vocab() const { return v_; }
    PreTokenizer pre_tokenizer() const { return pre_; }
    int find(std::string_view text) const;  // token id of the stored text, -1 if none

private:
    void encode_word(const std::string& word, std::vector<int>& out) const;
    int rank(std::string_view left, std::string_view right) const;

    Vocab v_;
    PreTokenizer pre_;
    std::string kind_;
    bool ignore_merges_ = false;
    SpecialTokens specials_;
    std::unordered_map<std::string, int> ids_;      // text -> id (the last id of a duplicated text)
    std::unordered_map<std::string, int> ranks_;    // "left right" -> merge rank
    std::array<std::string, 256> byte_chars_;       // byte -> its byte-level character (UTF-8)
    std::unordered_map<char32_t, uint8_t> char_bytes_;
    std::vector<std::string> decoded_;              // bytes of each normal token
};

// GPT-2's bytes_to_unicode: the code point standing for byte b.
char32_t byte_level_char(uint8_t b);

}  // namespace xl
