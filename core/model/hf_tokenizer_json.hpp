// Hugging Face tokenizer.json -> a Tokenizer, for the byte-level BPE vocabularies of GPT-2,
// SmolLM, Llama 3 and Qwen2: model BPE with its vocab and merges ("a b" strings or [a, b]
// pairs, rank order), added_tokens (special -> control, else user-defined; both matched whole
// in the text, as SpecialTokens does for GGUF), and one of these pre-tokenizers:
//   ByteLevel(use_regex)                          -> the GPT-2 pattern
//   Sequence[Digits(individual), ByteLevel(use_regex)]  -> SmolLM
//   Sequence[Split(Llama-3 or Qwen2 pattern, Isolated), ByteLevel(no regex)] -> Llama 3 / Qwen2
// BOS comes from a TemplateProcessing post-processor that starts with a special token.
// Anything else (SentencePiece-style BPE with byte fallback, WordPiece, Unigram) ->
// ErrorKind::Unsupported naming what the file has; malformed JSON -> ErrorKind::BadFile.
//
//   std::shared_ptr<xl::Tokenizer> tok = xl::load_tokenizer_json("model/tokenizer.json");
#pragma once
#include <memory>
#include <string>

#include "core/model/tokenizer.hpp"

namespace xl {

std::shared_ptr<Tokenizer> load_tokenizer_json(const std::string& path);

}  // namespace xl
