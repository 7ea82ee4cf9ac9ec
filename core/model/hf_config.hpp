// config.json of a Hugging Face checkpoint → ModelConfig, through the architecture table
// (hf_architectures.hpp): shapes, norm epsilon, activation, tied embeddings, training context,
// layer kinds, and the RoPE settings read by the config import of core/posenc/hf_rope_config
// (one parser for both uses). The config's rope_scaling / rope_parameters becomes the model's
// own method: `file` compiles the spec stored in rope_scaling.method (model.hpp).
//
//   HfModelConfig h = read_hf_config(text, "ckpt/config.json");
//   h.arch->name == "gemma3"; h.config.layer_kinds[...]; h.config.rope_scaling.method
//
// Gemma 3 configs come in three forms, all read: `layer_types` (+ rope_theta and
// rope_local_base_freq), the older `sliding_window_pattern` (+ the same two bases; a layer is
// global when (i + 1) % pattern == 0, transformers' rule, default 6), and transformers 5's
// per-layer-type `rope_parameters` {"full_attention": {...}, "sliding_attention": {...}}.
// Multimodal configs (Gemma3ForConditionalGeneration) are read through their text_config.
//
// Errors name the file: not JSON → BadFile; unknown model_type / architectures → Unsupported with
// the supported list; missing shape keys → BadFile listing every missing key and the
// architecture that needs them; unsupported options (attention output or MLP biases, logit
// soft-capping, another activation, unknown layer types) → Unsupported naming the key.
#pragma once
#include <string>

#include "core/model/hf_architectures.hpp"
#include "core/model/model.hpp"

namespace xl {

struct HfModelConfig {
    const HfArchitecture* arch = nullptr;
    ModelConfig config;
    bool text_config = false;    // read from "text_config" (a multimodal checkpoint)
    bool attention_bias = false; // config says q/k/v carry biases (qwen2 always)
};

HfModelConfig read_hf_config(const std::string& json_text, const std::string& path);

}  // namespace xl
