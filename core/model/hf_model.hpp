// A Hugging Face checkpoint folder → xl::Model: hf_checkpoint (config.json, safetensors shards),
// hf_config (config.json → ModelConfig through the architecture table), hf_weights (tensor
// names → LayerWeights) and the folder's tokenizer.json.
//
//   xl::Model m = xl::load_hf_model("tests/data/hf/qwen2");
//   m.config.architecture == "qwen2"; m.config.format == "hf safetensors";
//
// tokenizer.json is read by load_tokenizer_json; one of a kind it does not read (SentencePiece-
// style BPE, WordPiece, ...) or none at all leaves the Model without a tokenizer and a warning
// says why: load_model() then asks for --tokenizer (a GGUF of the model, or another .json).
// A malformed tokenizer.json is an error. Errors otherwise: see the three parts.
#pragma once
#include <string>

#include "core/model/model.hpp"

namespace xl {

Model load_hf_model(const std::string& dir);

}  // namespace xl
