// GGUF files of the architectures in gguf_arch.hpp (llama, qwen2, qwen3, gemma3, phi3) -> xl::Model,
// with the embedded `llama` (SentencePiece-BPE) vocabulary when the file has one.
//
//   xl::Model m = xl::load_gguf_model("stories260K.gguf");
//   m.config.rope_base; m.config.rope_scaling.type; m.config.warnings;  m.tokenizer->encode(...)
//
// Reads {arch}.context_length, embedding_length, block_count, feed_forward_length,
// attention.head_count(_kv), attention.layer_norm_rms_epsilon, attention.key_length,
// rope.freq_base, rope.dimension_count, rope.scaling.* (type, factor, original_context_length,
// attn_factor, yarn_log_multiplier, yarn_beta_fast, yarn_beta_slow, yarn_ext_factor, finetuned),
// attention.max_alibi_bias and the rope_freqs.weight tensor. Every metadata key also lands in
// config.metadata as text. Other architectures -> ErrorKind::Unsupported naming the supported ones.
#pragma once
#include <memory>
#include <string>

#include "core/model/gguf_reader.hpp"
#include "core/model/model.hpp"
#include "core/model/gguf_vocab.hpp"

namespace xl {

Model load_gguf_model(const std::string& path);
Model model_from_gguf(const GgufFile& g);   // Model::storage keeps g.file alive

}  // namespace xl
