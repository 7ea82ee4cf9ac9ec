// Recording of each GPU op (one pipeline per op, shaders/*.comp) into a gpu::Recorder. Each
// function is the GPU twin of the function of the same name in core/ref/ops.hpp; the dispatch
// shapes and pipeline variants live here so that faster variants (e.g. cooperative-matrix
// matmul/attention on NVIDIA) can be chosen in one place.
//
//   gpu::Recorder rec(ctx);
//   GpuOps ops(ctx, rec);
//   ops.matmul(wq, x, q, n);                 // q = Wq·x
//   ops.attention({&q, &k, nullptr, nullptr, &v, &qscale, nullptr}, shape, out, lse);
//   rec.submit();
#pragma once
#include <functional>

#include "core/forward/gpu_tensor.hpp"
#include "core/gpu/recorder.hpp"
#include "core/posenc/position_plan.hpp"
#include "shaders/common/matmul_tiles.h"

namespace xl {

struct AttentionInputs {
    const gpu::Buffer* q_near = nullptr;   // [n][H][hd], rotated with near positions
    const gpu::Buffer* k_near = nullptr;   // [n][KV][hd]
    const gpu::Buffer* q_far = nullptr;    // null unless the far branch is enabled
    const gpu::Buffer* k_far = nullptr;
    const gpu::Buffer* v = nullptr;        // [n][KV][hd]
    const gpu::Buffer* query_scale = nullptr;  // [n]
    const gpu::Buffer* slopes = nullptr;   // [H] ALiBi slopes, or null
    // An explicit key set (a KV cache plus a chunk: core/forward/vulkan_eviction.cpp): the plan
    // index of each query row (uint [n]) and of each key (uint [keys]), both ascending; then k/v
    // hold AttentionShape::keys rows and query_scale is per query row. Null: keys = queries = 0..n−1.
    const gpu::Buffer* query_index = nullptr;
    const gpu::Buffer* key_index = nullptr;
    bool keyset() const { return query_index && key_index; }
};

// xPos magnitudes of GpuOps::rope_apply (ref §14): pair j times ζ_j^((pos − centre)·rate).
struct RopeXpos {
    const gpu::Buffer* log2_zeta = nullptr;  // [pairs] of xpos_log2_zeta(plan); null = no xPos
    float rate = 0;                          // +1/γ for queries, −1/γ for keys
    float centre = 0;
};
// What the rope shader reads for xPos: log2 ζ_j per pair, in double on the host (empty = none).
std::vector<float> xpos_log2_zeta(const PositionPlan& plan);
// log2 of the largest xPos magnitude over positions 0..n−1: max_j |log2 ζ_j|·max(c, n−1−c)/γ
// (0 without xPos). Keys grow by up to 2^this: past kFp16SafeLog2 they leave fp16's range
// (65504 = 2^16 for |k| up to 2^8), so attention keeps fp32 operands (AttentionShape).
double xpos_max_log2_magnitude(const PositionPlan& plan, int n);
inline constexpr double kFp16SafeLog2 = 8;

struct AttentionShape {
    int n = 0, n_heads = 0, n_kv_heads = 0, head_dim = 0;
    int window = 0, sinks = 0;
    int far_window = 0;                    // used when q_far/k_far are given
    bool fp32_operands = false;            // q or k outside fp16's range (xPos far from its centre):
                                           // the scalar fp32 kernel, also on cooperative-matrix devices
    int keys = 0;                          // rows of k/v with an explicit key set (AttentionInputs)
};

// Whether GpuOps::attention of this head size runs on cooperative matrices
// (shaders/attention_coop.comp): a device with them, head_dim ≤ 128, and XL_COOP_ATTN ≠ 0
// (and the shape's operands fit fp16: AttentionShape::fp32_operands; an explicit key set always
// takes the scalar kernel's KEYSET variant).
bool uses_coop_attention(const gpu::Context& ctx, int head_dim);

class GpuOps {
public:
    GpuOps(gpu::Context& ctx, gpu::Recorder& rec) : ctx_(ctx), rec_(rec) {}

    // y[y_offset + t·rows + r] (+)= Σ_c W[r][c]·x[x_offset + t·cols + c], offsets in floats.
    void matmul(const GpuTensor& w, const gpu::Buffer& x, gpu::Buffer& y, int n, bool accumulate = false,
                uint32_t x_offset = 0, uint32_t y_offset = 0);
    void rmsnorm(const gpu::Buffer& x, const gpu::Buffer& weight, gpu::Buffer& y, int n, int dim, float eps);
    void layernorm(const gpu::Buffer& x, const gpu::Buffer& weight, const gpu::Buffer* bias, gpu::Buffer& y, int n,
                   int dim, float eps);
    void embedding(const GpuTensor& table, const gpu::Buffer& tokens, gpu::Buffer& out, int n);
    // out = RoPE(x) (out may be x: in place), with xPos magnitudes if xpos.log2_zeta. pairs = rope_dim/2.
    void rope_apply(const gpu::Buffer& x, const gpu::Buffer& positions, const gpu::Buffer& inv_freq, gpu::Buffer& out,
                    int n, int heads, int head_dim, int pairs, bool neox, float mscale, const RopeXpos& xpos = {});
    // With `between` the query blocks go in segments of about equal causal work, and between(done)
    // runs after each but the last (done: the fraction of the work recorded), where a pass may
    // submit and stop; the numbers are the same as in one dispatch (each block is independent).
    void attention(const AttentionInputs& in, const AttentionShape& s, gpu::Buffer& out, gpu::Buffer& lse,
                   const std::function<void(double done)>& between = {});
    // grid = 0: full n×n. head = −1: mean over heads. `lse` from attention() of the same inputs.
    void attention_probs(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse, int head,
                         int grid, gpu::Buffer& out);
    // Probabilities of the query rows in `rows` (uint [R]) over every key, every head, written to
    // out[out_offset + (h·R + r)·n + j] (floats; n → keys with a key set). `lse` from attention()
    // of the same inputs.
    void attention_rows(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse,
                        const gpu::Buffer& rows, int row_count, gpu::Buffer& out, uint32_t out_offset);
    // Attention mass each key of a key set receives, summed over heads and the query rows
    // first_query..n−1: out[out_offset + j] for j < keys (floats). `lse` from attention() of the same inputs.
    void attention_key_mass(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse,
                            int first_query, gpu::Buffer& out, uint32_t out_offset);
    // Statistics of every head of one layer (core/forward/attention_stats.hpp), `lse` from attention()
    // of the same inputs, written at `layer`'s place of buffers that hold every layer: rows
    // [layer][2][H][n] (entropy, mass on keys < sink_tokens), mass [layer][H][n] per distance; with
    // counts (zeroed by the caller), the logit histogram [layer][bucket][bin] added to.
    void attention_stats(const AttentionInputs& in, const AttentionShape& s, const gpu::Buffer& lse, int sink_tokens,
                         int layer, gpu::Buffer& rows, gpu::Buffer& mass, gpu::Buffer* counts);
    // y += RMSNorm(x)·weight (post-norm fused with the residual add).
    void rmsnorm_add(const gpu::Buffer& x, const gpu::Buffer& weight, gpu::Buffer& y, int n, int dim, float eps);
    void swiglu(const gpu::Buffer& gate, const gpu::Buffer& up, gpu::Buffer& out, int count);
    void geglu(const gpu::Buffer& gate, const gpu::Buffer& up, gpu::Buffer& out, int count);
    // y[i] = y[i]·scale + bias[i mod width] (bias null: scale only).
    void affine(gpu::Buffer& y, int count, float scale, const gpu::Buffer* bias, int width);
    void silu(const gpu::Buffer& x, gpu::Buffer& out, int count);
    void add(gpu::Buffer& y, const gpu::Buffer& x, int count);
    // out[out_offset + t] = nll of logits row t against targets[target_offset + t], t < n.
    void nll(const gpu::Buffer& logits, const gpu::Buffer& targets, gpu::Buffer& out, int n, int vocab,
             uint32_t target_offset = 0, uint32_t out_offset = 0);

    // Dispatch tile of matmul.comp (shaders/common/matmul_tiles.h): up to kMatmulTokens tokens.
    // A pass of n tokens takes 8 token lanes with the fewest of 1, 2, 4, 8 tokens per lane that
    // cover n, then more lanes (16, 32, 64) until one workgroup covers n or the tile is whole; the
    // workgroup's other lanes take further groups of XL_MATMUL_ROWS rows.
    struct MatmulTiling {
        uint32_t tokens_per_lane, token_lanes;
        uint32_t tokens() const { return tokens_per_lane * token_lanes; }
        uint32_t rows() const { return XL_MATMUL_ROWS * (XL_MATMUL_GROUP / token_lanes); }
    };
    static constexpr uint32_t kMatmulTokens = XL_MATMUL_GROUP * XL_MATMUL_TOKENS_PER_LANE;
    static MatmulTiling matmul_tiling(int n);

private:
    gpu::Context& ctx_;
    gpu::Recorder& rec_;
};

}  // namespace xl
