// A vocabulary as GGUF files (tokenizer.ggml.*) and tokenizer.json describe it, before it
// becomes a tokenizer (ByteLevelBpe for `gpt2`, LlamaSpm for `llama`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace xl {

// llama.cpp's llama_token_type values (GGUF tokenizer.ggml.token_type).
enum class TokenKind : uint8_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Vocab {
    std::vector<std::string> tokens;   // as stored: byte-level characters (gpt2) or U+2581 spaces (llama)
    std::vector<float> scores;         // SentencePiece merge priority; empty for BPE
    std::vector<TokenKind> kinds;      // one per token
    std::vector<std::string> merges;   // "left right", rank order (gpt2)
    std::string pre = "default";       // tokenizer.ggml.pre
    int bos = -1, eos = -1, unk = -1;  // -1 when absent
    bool add_bos = false, add_eos = false, add_space_prefix = false;
    bool ignore_merges = false;        // gpt2: a word that is a token is taken whole (llama-bpe)
    bool parse_special = true;         // control / user-defined tokens written in the text become those tokens
};

}  // namespace xl
