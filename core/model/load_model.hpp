// One entry point for every model file format; the format is chosen by content (magic), not
// by extension. Throws xl::Error naming the file and the problem on bad input.
//
//   Model m = load_model("stories260K.gguf");                       // vocabulary embedded
//   Model m = load_model("stories260K.bin", "tok512.bin");          // llama2.c + tokenizer.bin
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

// Formats: "GGUF" magic; "PK\x03\x04" (PyTorch zip, via load_pth_model); else a plausible
// llama2.c header; anything else -> BadFile "not a GGUF, llama2.c or PyTorch checkpoint".
// tokenizer_path: a llama2.c tokenizer.bin or a GGUF file (its embedded vocabulary); for GGUF
// it overrides the embedded one; for .pth it is the minbpe tokenizer.model. A llama2.c
// checkpoint without one uses tok<vocab>.bin or tokenizer.bin beside it, else BadArgument.
// No usable vocabulary at all -> Unsupported. Checks the tokenizer's vocabulary size against
// the model (ErrorKind::Mismatch naming both sizes).
Model load_model(const std::string& model_path, const std::string& tokenizer_path = "");

}  // namespace xl
