// Scalar CPU reference of every GPU op: each function here is the twin of one shader in
// shaders/ and is what tests/test_gpu_ops_*.cpp compare the GPU against over parameter grids.
// Layouts: activations are row-major [n tokens][features]; per-head tensors are
// [n][heads][head_dim]. Accumulation in double so the oracle is more exact than the GPU.
#pragma once
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl::ref {

// y[t][r] = Σ_c W[r][c]·x[t][c] for t < n (W of any TensorType, dequantised per row).
void matmul(const Tensor& w, const float* x, int n, float* y);

// RMSNorm (Llama): y = x / sqrt(mean(x²) + eps) · weight.
void rmsnorm(const float* x, const float* weight, int n, int dim, float eps, float* y);
// LayerNorm: y = (x − mean) / sqrt(var + eps) · weight + bias (bias may be null).
void layernorm(const float* x, const float* weight, const float* bias, int n, int dim, float eps, float* y);

// Token embedding lookup: out[t] = row tokens[t] of `table` (dequantised).
void embedding(const Tensor& table, const int* tokens, int n, float* out);

// Which side of the logit a rotated tensor is: xPos scales queries and keys inversely (ref §14).
enum class RopeOperand { Query, Key };

// Rotate x [n][heads][head_dim] in place: pair j of token t turns by positions[t]·inv_freq[j],
// both channels times plan.mscale and, with xPos, times ζ_j^(±(positions[t] − c)/γ) (+ for
// queries, − for keys); dims ≥ plan.rope_dim pass through. Pair layout from plan.
// No-op when plan.inv_freq is empty.
void rope_apply(float* x, int n, int heads, int head_dim, const PositionPlan& plan,
                const std::vector<float>& positions, RopeOperand operand);

// Attention with the plan's mask, branches, query scales and ALiBi (see position_plan.hpp).
// q_near/k_near: rotated with plan.near positions; q_far/k_far: with plan.far positions
// (null unless plan.far.enabled). Grouped-query: query head h reads kv head h / (H / KV).
// out [n][H][hd]. If probs != null, writes softmax probabilities of (probe_layer's) head
// `probe_head` (−1 = mean over heads) as a full n×n row-major matrix (masked entries 0).
void attention(const float* q_near, const float* k_near, const float* q_far, const float* k_far,
               const float* v, int n, int n_heads, int n_kv_heads, int head_dim,
               const PositionPlan& plan, float* out, float* probs = nullptr, int probe_head = 0);

// Attention of n queries over an explicit set of m keys (a KV cache plus a chunk, ops_keyset.cpp).
// Query t stands at plan index qi[t], key j at plan index ki[j]: key j is visible to query t when
// visible(qi[t], ki[j]) of position_plan.hpp holds, and the branch, query scale and ALiBi distance
// are those of the pair (qi[t], ki[j]). With qi = ki = 0..n−1 this is attention() exactly.
// q_*/k_* are already rotated ([n][H][hd], [m][KV][hd]); out [n][H][hd]. If probs != null it
// receives every head's probabilities [H][n][m] (invisible entries 0).
void attention_keyset(const float* q_near, const float* k_near, const float* q_far, const float* k_far,
                      const float* v, int n, const int* qi, int m, const int* ki, int n_heads, int n_kv_heads,
                      int head_dim, const PositionPlan& plan, float* out, float* probs = nullptr);
// Attention mass each of the m keys receives from attention_keyset's probabilities [H][n][m]:
// mass[j] += Σ_h Σ_{t = first_query}^{n−1} probs[h][t][j] (the eviction policies' scores: H2O
// from every query, SnapKV from the observation window). Twin of GpuOps::attention_key_mass.
void add_key_mass(const float* probs, int n_heads, int n, int m, int first_query, double* mass);
// Softmax probabilities of the query rows `rows` over every key, for every head, with the same
// mask, branches, query scales and ALiBi as attention(): out[(h·R + r)·n + j] (masked = 0).
void attention_rows(const float* q_near, const float* k_near, const float* q_far, const float* k_far, int n,
                    int n_heads, int n_kv_heads, int head_dim, const PositionPlan& plan, const std::vector<int>& rows,
                    float* out);

// Reduce an n×n attention matrix to grid×grid by averaging blocks (rows and cols split evenly:
// block b covers [b·n/grid, (b+1)·n/grid)).
std::vector<float> reduce_grid(const std::vector<float>& full, int n, int grid);

// Element-wise: out = silu(gate) * up (SwiGLU); out = silu(x) (plain SiLU MLP); y += x.
void swiglu(const float* gate, const float* up, int count, float* out);
void silu(const float* x, int count, float* out);
void add_inplace(float* y, const float* x, int count);

// Ops of the block options of real architectures (ops_block.cpp):
// GeGLU (Gemma): out = gelu_tanh(gate) · up, gelu_tanh(x) = x/2 · (1 + tanh(√(2/π)(x + 0.044715x³))).
void geglu(const float* gate, const float* up, int count, float* out);
// y[i] = y[i] · scale + (bias ? bias[i mod width] : 0): projection biases (Qwen2), embedding
// scale (Gemma √dim).
void affine(float* y, int count, float scale, const float* bias, int width);
// y += RMSNorm(x) · weight (Gemma 3 post-attention / post-FFN norm before the residual add).
void rmsnorm_add(const float* x, const float* weight, int n, int dim, float eps, float* y);

// Per-token negative log-likelihood: out[t] = logsumexp(logits[t]) − logits[t][targets[t]].
void nll(const float* logits, int n, int vocab, const int* targets, float* out);

}  // namespace xl::ref
