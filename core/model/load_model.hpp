// One entry point for every model file format; the format is chosen by content (magic), not
// by extension. Throws xl::Error naming the file and the problem on bad input.
//
//   Model m = load_model("stories260K.gguf");                       // vocabulary embedded
//   Model m = load_model("stories260K.bin", "tok512.bin");          // llama2.c + tokenizer.bin
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

// tokenizer_path: required for llama2.c checkpoints and .pth (tokenizer.model of minbpe);
// ignored-with-error for GGUF files that embed a vocabulary? No: when given for GGUF it overrides.
// Checks the tokenizer's vocabulary size against the model (ErrorKind::Mismatch).
Model load_model(const std::string& model_path, const std::string& tokenizer_path = "");

}  // namespace xl
