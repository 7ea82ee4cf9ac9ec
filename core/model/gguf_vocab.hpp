// The vocabulary embedded in a GGUF file (tokenizer.ggml.*) -> a Tokenizer, read as llama.cpp
// reads it (llama-vocab.cpp): tokenizer.ggml.model "llama" -> LlamaSpm (SentencePiece: scores,
// <0xNN> byte pieces, user-defined symbols; add_bos_token default true, add_space_prefix default
// true), "gpt2" -> ByteLevelBpe (merges in rank order, the pre-tokenizer named by
// tokenizer.ggml.pre; add_bos_token default false except llama-bpe). Ids bos/eos/unk from
// their keys, else llama.cpp's defaults (llama: 1, 2, 0; gpt2: 11, 11, none). Control-type
// tokens written in the text are parsed as those tokens (parse_special, see special_tokens.hpp).
//
//   std::shared_ptr<xl::Tokenizer> tok = xl::gguf_tokenizer(xl::read_gguf(file));
#pragma once
#include <memory>

#include "core/model/gguf_reader.hpp"
#include "core/model/tokenizer.hpp"
#include "core/model/vocab.hpp"

namespace xl {

// null when the file has no vocabulary; ErrorKind::Unsupported for other tokenizer models or an
// unknown gpt2 pre-tokenizer; ErrorKind::BadFile for malformed tokenizer keys.
std::shared_ptr<Tokenizer> gguf_tokenizer(const GgufFile& g);

// The vocabulary itself (tokenizer.ggml.model must be "llama" or "gpt2").
Vocab read_gguf_vocab(const GgufFile& g);

// A tokenizer for a vocabulary of either model ("llama" when v.merges is empty and scores are set).
// `source` says where the vocabulary came from (in kind()); `path` names the file in errors.
std::shared_ptr<Tokenizer> make_tokenizer(Vocab v, const std::string& model, const std::string& source,
                                          const std::string& path);

// llama.cpp marks tokens with these texts as control tokens whatever their stored type.
void mark_control_looking_tokens(Vocab& v);

}  // namespace xl
