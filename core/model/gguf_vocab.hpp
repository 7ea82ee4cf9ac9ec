// The vocabulary embedded in a GGUF file (tokenizer.ggml.*) -> a Tokenizer.
//
//   std::shared_ptr<xl::Tokenizer> tok = xl::gguf_tokenizer(xl::read_gguf(file));
#pragma once
#include <memory>

#include "core/model/gguf_reader.hpp"
#include "core/model/sentencepiece_bpe.hpp"

namespace xl {

// tokenizer.ggml.model "llama" -> SentencePiece-BPE; null when the file has no vocabulary;
// ErrorKind::Unsupported for other tokenizer models ("gpt2", ...).
std::shared_ptr<SentencePieceBpe> gguf_tokenizer(const GgufFile& g);

}  // namespace xl
