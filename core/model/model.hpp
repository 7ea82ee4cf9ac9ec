// A loaded model: its configuration (block recipe + position settings read from the file)
// and views of its weights. Readers (gguf_reader, llama2c_reader, pth_reader) produce a Model;
// the CPU reference (core/ref) and the Vulkan forward pass (core/forward) consume it.
//
//   xl::Model m = xl::load_model("assets/stories260K.bin", "assets/tok512.bin");
//   m.config.dim == 64; m.weights.layers[0].wq.rows == 64;
//
// Conventions: a matrix is row-major [rows = out features][cols = in features], so y = W·x
// is y[r] = sum_c W[r][c]·x[c]. Quantised rows are ggml blocks along cols (tensor_types.hpp
// has the table of types). Families differ by rows of options below, never by forks of the
// forward pass.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace xl {

// Weight types (ggml's); their properties are rows of core/model/tensor_types.cpp, in this order.
enum class TensorType { F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS, Count };
const char* to_string(TensorType t);
// Bytes of one row of `cols` elements (block types: cols must be a multiple of the block).
size_t row_bytes(TensorType t, int64_t cols);

// A view of one weight tensor inside the model's storage (or an owned buffer).
struct Tensor {
    std::string name;                 // name in the file ("blk.0.attn_q.weight", "wq[0]", ...)
    TensorType type = TensorType::F32;
    int64_t rows = 0;                 // out features (1 for vectors)
    int64_t cols = 0;                 // in features (vector length for vectors)
    const uint8_t* data = nullptr;    // rows * row_bytes(type, cols) bytes
    bool empty() const { return data == nullptr; }
    size_t nbytes() const { return size_t(rows) * row_bytes(type, cols); }
};
// Dequantise row r (or the whole vector) to float; the scalar definition of every type.
void dequantize_row(const Tensor& t, int64_t r, float* out);
std::vector<float> dequantize(const Tensor& t);  // rows*cols floats

enum class NormType { RMSNorm, LayerNorm };
// SwiGLU: w2(silu(w1 x) * w3 x); SiLU: w2(silu(w1 x)); GeGLU: w2(gelu_tanh(w1 x) * w3 x) (Gemma).
enum class MlpType { SwiGLU, SiLU, GeGLU };
enum class PositionSignal { RoPE, ALiBi, None };
enum class RopeLayout { Normal, NeoX };        // Normal: pairs (2j,2j+1); NeoX: (j, j+d/2). ref §1

// Residual placement. PreNorm (Llama): x += Attn(N1(x)); x += MLP(N2(x)).
// PostFirstNorm (alilama): x = N1(x); a = x + Attn(x); x = a + MLP(N2(a)).
enum class Residual { PreNorm, PostFirstNorm };

// RoPE scaling as stored in the file (GGUF rope.scaling.*); empty when absent.
struct FileRopeScaling {
    std::string type;                 // "none", "linear", "yarn", "longrope", ...
    float factor = 0;                 // rope.scaling.factor
    int original_context = 0;         // rope.scaling.original_context_length
    float attn_factor = 0;            // rope.scaling.attn_factor
    float yarn_log_multiplier = 0;    // rope.scaling.yarn_log_multiplier
    float yarn_beta_fast = 0, yarn_beta_slow = 0, yarn_ext_factor = 0;
    bool finetuned = false;           // rope.scaling.finetuned
    // A method spec the loader derived from the model's own config (a Hugging Face config.json's
    // rope_scaling / rope_parameters as core/posenc/hf_rope_config imports it, in transformers'
    // convention, e.g. "yarn:s=4,orig=4096,conv=hf"); the `file` method compiles it as given.
    // Empty: `file` compiles the GGUF fields above in llama.cpp's convention.
    std::string method;
};

// One kind of attention layer (Gemma 3: "local" sliding-window layers with their own RoPE
// base, and "global" ones; SmolLM3: "nope" layers without a position signal). A position method
// applies to chosen kinds (method key `layers=`); the other kinds keep their plain plan.
struct LayerKind {
    std::string name = "global";      // "global", "local", "nope"
    PositionSignal position = PositionSignal::RoPE;
    float rope_base = 10000.f;        // θ base of this kind's RoPE
    int window = 0;                   // sliding window in keys (0 = unlimited)
};

struct ModelConfig {
    std::string format;               // "gguf v3", "llama2.c", "pytorch zip"
    std::string architecture;         // "llama", "alilama"
    std::string name;                 // general.name or file stem
    int dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0;
    int head_dim = 0;                 // dim / n_heads unless the file says otherwise
    int vocab_size = 0;
    float norm_eps = 1e-5f;
    NormType norm = NormType::RMSNorm;
    Residual residual = Residual::PreNorm;
    MlpType mlp = MlpType::SwiGLU;
    bool final_norm = true;           // apply output_norm before the classifier
    bool tied_output = true;          // classifier = token embedding

    // Context lengths. `file_context_length` is what the file says ({arch}.context_length,
    // llama2.c seq_len); `train_context_length` is our best knowledge of the training length
    // (equal unless the value looks like a converter default, see warnings).
    int file_context_length = 0;
    int train_context_length = 0;

    PositionSignal position = PositionSignal::RoPE;
    float rope_base = 10000.f;        // rope.freq_base (default 10000 when missing: warned)
    int rope_dim = 0;                 // rope.dimension_count (rotated dims per head; = head_dim)
    RopeLayout rope_layout = RopeLayout::Normal;
    FileRopeScaling rope_scaling;
    std::vector<float> rope_freq_factors;  // rope_freqs tensor (divisors of θ_j), empty if none
    std::vector<float> rope_factors_long;  // LongRoPE rope_factors_long tensor (divisors of θ_j), empty if none
    std::vector<float> rope_factors_short; // LongRoPE rope_factors_short tensor, empty if none
    float alibi_max_bias = 0;         // attention.max_alibi_bias (0 = none)
    std::vector<float> alibi_slopes;  // explicit per-head slopes from the model recipe, if any

    // Per-layer attention kinds. Empty `layer_kinds` = one kind for every layer, made from
    // `position` / `rope_base` / `sliding_window` (see layer_kinds_of); otherwise layer_kind[l]
    // indexes layer_kinds for each of the n_layers layers.
    std::vector<LayerKind> layer_kinds;
    std::vector<int> layer_kind;
    int sliding_window = 0;           // model-wide window (Mistral attention.sliding_window; 0 = none)

    // Block options (rows, not forks). Optional per-layer tensors (q/k/v biases, q/k norms,
    // post-norms) are used when present in LayerWeights; their presence is the option.
    float embedding_scale = 1.f;      // token embeddings × this (Gemma: √dim)
    float attention_scale = 0.f;      // base query scale; 0 = 1/√head_dim (Gemma 3: 1/√query_pre_attn_scalar)
    // Norm weights are the multiplier as applied: Gemma's (1 + w) is stored with the 1 added
    // (llama.cpp's converter does it; readers of Hugging Face Gemma checkpoints add it).

    std::map<std::string, std::string> metadata;  // every key/value read, as text (for `info`)
    std::vector<std::string> warnings;            // e.g. "rope.freq_base missing: using 10000"
};

// Fused tensors in a file (Phi-3 attn_qkv, ffn_up holding gate and up) are split into row-range
// views of the same data (rows are contiguous in row-major storage): no copy.
struct LayerWeights {
    Tensor attn_norm, attn_norm_bias;  // bias only for LayerNorm
    Tensor wq, wk, wv, wo;             // wq [n_heads*head_dim][dim], wk/wv [n_kv*head_dim][dim]
    Tensor bq, bk, bv;                 // optional projection biases (Qwen2): vectors of wq/wk/wv rows
    Tensor q_norm, k_norm;             // optional per-head RMSNorm of q and k, vectors [head_dim] (Qwen3, Gemma 3)
    Tensor post_attn_norm;             // optional norm of the attention output before the residual add (Gemma 3)
    Tensor ffn_norm, ffn_norm_bias;
    Tensor w1, w2, w3;                 // w1 gate [hidden][dim], w2 down [dim][hidden], w3 up (SwiGLU, GeGLU)
    Tensor post_ffn_norm;              // optional norm of the MLP output before the residual add (Gemma 3)
};

struct ModelWeights {
    Tensor token_embedding;            // [vocab][dim]
    std::vector<LayerWeights> layers;
    Tensor output_norm, output_norm_bias;
    Tensor output;                     // [vocab][dim]; equals token_embedding when tied
};

// The layer kinds in effect: config.layer_kinds, or one "global" kind from the model-wide
// position / rope_base / sliding_window. layer_kind_index(c, l) is layer l's index into them.
std::vector<LayerKind> layer_kinds_of(const ModelConfig& c);
int layer_kind_index(const ModelConfig& c, int layer);
// A row view of `t`: rows [first, first + count) (fused tensors). Throws on a range outside t.
Tensor row_view(const Tensor& t, int64_t first, int64_t count, const std::string& name);

class Tokenizer;

struct Model {
    std::string path;
    ModelConfig config;
    ModelWeights weights;
    std::shared_ptr<Tokenizer> tokenizer;      // embedded (GGUF) or loaded from a side file
    std::shared_ptr<const void> storage;       // keeps the mapped file / buffers alive
};

}  // namespace xl
