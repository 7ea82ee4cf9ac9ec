// The Hugging Face architectures extrapolab reads, as rows of one table: which config.json
// names them, the block options they imply, the transformers config-class defaults for keys a
// config may omit, and where each layer tensor lives in the checkpoint.
//
//   const HfArchitecture* a = find_hf_architecture("qwen2", {"Qwen2ForCausalLM"});
//   a->name == "qwen2"; a->layer_tensors: {Slot::Q, "self_attn.q_proj.weight", required}, ...
//
// Names follow transformers' modeling files (models/<family>/modeling_<family>.py); the
// extrapolab architecture name is llama.cpp's (the GGUF of the same weights carries it).
#pragma once
#include <string>
#include <vector>

#include "core/model/model.hpp"

namespace xl {

// A place in LayerWeights (or a fused tensor that is split into two or three of them).
enum class HfSlot {
    AttnNorm, Q, K, V, QKV, BQ, BK, BV, QNorm, KNorm, O, PostAttnNorm,
    FfnNorm, Gate, Up, GateUp, Down, PostFfnNorm,
};

struct HfLayerTensor {
    HfSlot slot;
    const char* suffix;   // after "model.layers.N."
    bool required;        // optional ones are used when present (llama attention_bias, ...)
};

struct HfArchitecture {
    const char* name = "";                   // "llama", "qwen2", "qwen3", "gemma3", "phi3"
    std::vector<std::string> model_types;    // config.json "model_type" values
    std::vector<std::string> classes;        // config.json "architectures" entries
    MlpType mlp = MlpType::SwiGLU;
    const char* activation_key = "hidden_act";  // the key naming the MLP activation
    std::vector<std::string> activations;    // accepted values of it
    bool norm_plus_one = false;              // RMSNorm multiplies by (1 + w): stored w gets +1 at load
    bool scale_embeddings = false;           // embeddings × √hidden_size
    bool local_global = false;               // sliding/full layer pattern with two RoPE bases (Gemma 3)
    // transformers config-class defaults, used with a warning when a key is absent
    double default_eps = 1e-6;
    double default_theta = 10000;
    bool default_tied = false;
    int default_head_dim = 0;                // 0 = hidden_size / num_attention_heads
    std::vector<HfLayerTensor> layer_tensors;
};

const std::vector<HfArchitecture>& hf_architectures();
// By model_type first, then by an "architectures" class; null when neither is known.
const HfArchitecture* find_hf_architecture(const std::string& model_type, const std::vector<std::string>& classes);
std::string hf_supported_list();  // "llama (llama, mistral), qwen2 (qwen2), ..."

}  // namespace xl
