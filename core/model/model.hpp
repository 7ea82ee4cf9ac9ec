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
enum class MlpType { SwiGLU, SiLU };          // SwiGLU: w2(silu(w1 x) * w3 x); SiLU: w2(silu(w1 x))
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

    std::map<std::string, std::string> metadata;  // every key/value read, as text (for `info`)
    std::vector<std::string> warnings;            // e.g. "rope.freq_base missing: using 10000"
};

struct LayerWeights {
    Tensor attn_norm, attn_norm_bias;  // bias only for LayerNorm
    Tensor wq, wk, wv, wo;             // wq [n_heads*head_dim][dim], wk/wv [n_kv*head_dim][dim]
    Tensor ffn_norm, ffn_norm_bias;
    Tensor w1, w2, w3;                 // w1 gate [hidden][dim], w2 down [dim][hidden], w3 up (SwiGLU)
};

struct ModelWeights {
    Tensor token_embedding;            // [vocab][dim]
    std::vector<LayerWeights> layers;
    Tensor output_norm, output_norm_bias;
    Tensor output;                     // [vocab][dim]; equals token_embedding when tied
};

class Tokenizer;

struct Model {
    std::string path;
    ModelConfig config;
    ModelWeights weights;
    std::shared_ptr<Tokenizer> tokenizer;      // embedded (GGUF) or loaded from a side file
    std::shared_ptr<const void> storage;       // keeps the mapped file / buffers alive
};

}  // namespace xl
