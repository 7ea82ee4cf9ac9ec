// Hugging Face tensor names → ModelWeights, through the architecture's table of layer tensors
// (hf_architectures.hpp). Tensors stay views into the mapped safetensors files except where a
// convention needs a copy:
//   * Gemma's RMSNorm multiplies by (1 + w) and HF stores w: those norms become F32 copies of
//     w + 1, the multiplier as applied (what llama.cpp's converter writes into the GGUF).
//   * a tensor whose offset is not a multiple of its element size is copied (aligned).
// Fused tensors (Phi-3 qkv_proj, gate_up_proj with gate first) become row views (row_view).
//
// Pair layout: llama's q/k rows are NOT permuted. HF keeps each head's rotated pairs at
// (j, j + d/2) and the model runs with RopeLayout::NeoX (hf_positions.hpp); llama.cpp's
// converter instead permutes the rows so that pair j sits at (2j, 2j + 1), its NORM layout. The
// rotated pair values are the same, only their place in the head differs, so q·k is the same sum
// and the model the same function. Keeping HF's order keeps the weights zero-copy, is the
// layout transformers computes in, and is the one llama.cpp itself uses for Qwen, Gemma and Phi.
//
// The text model is found under "model." (…ForCausalLM), "model.language_model." or
// "language_model.model." (multimodal checkpoints; other towers are ignored with a warning).
// Errors name the shard file: a missing or misshaped tensor (BadFile), a dtype other than F32,
// F16, BF16 (Unsupported), a layer tensor the architecture does not use (Unsupported: running
// without it would be a different model).
#pragma once
#include <deque>
#include <memory>
#include <vector>

#include "core/model/hf_checkpoint.hpp"
#include "core/model/hf_config.hpp"

namespace xl {

// Keeps the mappings and the few owned copies alive (Model::storage).
struct HfStorage {
    std::vector<std::shared_ptr<const MappedFile>> files;
    std::deque<std::vector<uint8_t>> owned;
};

void map_hf_weights(const HfCheckpoint& ck, const HfModelConfig& h, Model& m, HfStorage& storage);

}  // namespace xl
