// The position part of a Hugging Face config.json (used by hf_config.cpp): RoPE base, rotated
// dimensions, pair layout and the config's scaling as the model's own method (through the
// config import of core/posenc/hf_rope_config), then the per-layer kinds (full / sliding
// attention, Gemma 3's two RoPE bases, model-wide sliding windows).
//
// Pair layout: transformers rotates (j, j + d/2) (rotate_half), so every HF checkpoint runs with
// RopeLayout::NeoX on its weights as stored. llama.cpp permutes the q/k rows of `llama` models
// into adjacent pairs at conversion instead; both give the same attention (see hf_weights.hpp).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/model/hf_architectures.hpp"
#include "core/model/model.hpp"

namespace xl {

void read_hf_rope(const nlohmann::json& cfg, const std::string& path, const HfArchitecture& a, ModelConfig& c);
void read_hf_layer_kinds(const nlohmann::json& cfg, const std::string& path, const HfArchitecture& a, ModelConfig& c);

}  // namespace xl
