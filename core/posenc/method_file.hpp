// The `file` method's input besides GGUF rope.scaling.* (method_file.cpp): a method spec that a
// loader derived from the model's own files, kept in ModelConfig::metadata under this key (so
// `info` shows it). The Hugging Face loader stores there the config.json's rope_scaling /
// rope_parameters as core/posenc/hf_rope_config imports it, without the base (the model's own),
// e.g. "yarn:s=4,orig=4096,beta_fast=32,beta_slow=1,conv=hf"; empty or absent = none.
#pragma once

namespace xl {

inline constexpr const char* kFileMethodKey = "rope.file_method";

}  // namespace xl
