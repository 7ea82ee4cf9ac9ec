// Tokenizers: encode text to token ids and decode ids back to text.
//   SentencePiece-style BPE of llama2.c tokenizer.bin and GGUF `llama` vocabularies
//   (score-ordered merges, <0xNN> byte fallback, dummy prefix space, BOS/EOS);
//   minbpe (alilama) lives beside it behind the same interface; GGUF vocabularies become
//   LlamaSpm (llama_spm.hpp) or ByteLevelBpe (byte_level_bpe.hpp), see gguf_vocab.hpp.
//
//   auto tok = xl::load_llama2c_tokenizer("assets/tok512.bin", /*vocab_size*/ 512);
//   std::vector<int> ids = tok->encode("Once upon a time", /*bos*/ true);
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace xl {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    // add_bos: start with BOS. GGUF vocabularies add it (and EOS) only where the file says so
    // (tokenizer.ggml.add_bos_token; llama.cpp's add_special), and then bos() is that token.
    virtual std::vector<int> encode(std::string_view text, bool add_bos) const = 0;
    // Text of one token as it continues `prev` (SentencePiece strips the leading space after BOS,
    // byte tokens <0xNN> become raw bytes).
    virtual std::string decode_token(int prev, int token) const = 0;
    std::string decode(const std::vector<int>& ids) const;  // concatenated decode_token
    virtual int vocab_size() const = 0;
    virtual int bos() const = 0;   // -1 when the vocabulary has none (or never adds it)
    virtual int eos() const = 0;
    virtual std::string kind() const = 0;  // "llama sentencepiece-bpe", "minbpe", ...
};

}  // namespace xl
