// llama2.c checkpoints (`.bin`) and their `tokenizer.bin` vocabularies.
//
//   xl::Model m = xl::load_llama2c_model("stories260K.bin");        // no tokenizer attached
//   m.tokenizer = xl::load_llama2c_tokenizer("tok512.bin");          // or via xl::load_model
//
// .bin layout: 7 int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative =
// unshared classifier), seq_len), then f32 tensors: token_embedding, rms_att, wq, wk, wv, wo,
// rms_ffn, w1, w2, w3, rms_final, freq_cis_real, freq_cis_imag (legacy, skipped), wcls if
// unshared. The size is checked exactly (short -> truncated, longer -> trailing bytes).
// tokenizer.bin: int32 max_token_length, then per token: f32 score, int32 length, bytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/model/model.hpp"
#include "core/model/sentencepiece_bpe.hpp"

namespace xl {

// Whether the first bytes look like a llama2.c header (positive, bounded, consistent shapes).
bool looks_like_llama2c(const uint8_t* data, size_t size);

Model load_llama2c_model(const std::string& path);

// Reads every token up to the end of the file; expected_vocab > 0 also checks the count
// (ErrorKind::Mismatch naming both sizes).
std::shared_ptr<SentencePieceBpe> load_llama2c_tokenizer(const std::string& path, int expected_vocab = 0);

}  // namespace xl
