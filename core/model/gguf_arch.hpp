// The GGUF architectures extrapolab reads, as rows of options (not forks of the forward pass):
// what each architecture's blocks contain and which metadata keys and tensors it needs. Sources:
// llama.cpp src/llama-model.cpp (tensor lists and graph builds per LLM_ARCH_*), transformers'
// modeling_{llama,qwen2,qwen3,gemma3,phi3}.py.
//
//   const GgufArch& a = gguf_arch(g);          // throws Unsupported naming the supported list
//   read_layer_kinds(g, a, config);            // Gemma 3: local / global kinds per layer
#pragma once
#include <string>

#include "core/model/gguf_reader.hpp"
#include "core/model/model.hpp"

namespace xl {

struct GgufArch {
    const char* name;
    RopeLayout layout;         // llama: adjacent pairs (q/k rows permuted by the converter); others NeoX halves
    MlpType mlp;
    bool qkv_bias = false;     // attn_{q,k,v}.bias required (Qwen2)
    bool qk_norm = false;      // attn_{q,k}_norm.weight per head required (Qwen3, Gemma 3)
    bool post_norms = false;   // post_attention_norm / post_ffw_norm required (Gemma 3)
    bool fused = false;        // attn_qkv (or separate q/k/v) and ffn_up holding gate then up (Phi-3)
    bool embed_sqrt_dim = false;  // embeddings × √dim (Gemma)
    int swa_period = 0;        // layers per local/global cycle when the file has no pattern key (Gemma 3: 6)
    float swa_base = 0;        // local layers' RoPE base when the file has no rope.freq_base_swa
};

// The row of g's general.architecture; ErrorKind::Unsupported naming it and the supported ones.
const GgufArch& gguf_arch(const GgufFile& g);
std::string supported_architectures();  // "llama, qwen2, qwen3, gemma3, phi3"

// Layer kinds: for architectures with a sliding-window pattern (Gemma 3), `local` layers with
// window {arch}.attention.sliding_window and base rope.freq_base_swa (else the row's), and
// `global` layers; the pattern from attention.sliding_window_pattern (a period, or one bool per
// layer, true = local) else the row's period. Other architectures: one kind, with the
// model-wide attention.sliding_window (Mistral) when present.
void read_layer_kinds(const GgufFile& g, const GgufArch& a, ModelConfig& c);

}  // namespace xl
