// Push-constant structs of every shader, written once and compiled as both C++ and GLSL
// (DESIGN.md #3). Only 32-bit scalars (uint, int, float): their std430 offsets equal the C++
// ones; sizes are checked by static_assert, offsets by tests/test_gpu_push_constants.cpp
// against the SPIR-V of the compiled shaders.
//
//   C++:  xl::pc::Matmul p{}; p.rows = 64;  rec.dispatch(pipe, {...}, p, gx, gy);
//   GLSL: layout(push_constant) uniform PC { Matmul p; };
#ifndef XL_PUSH_CONSTANTS_H
#define XL_PUSH_CONSTANTS_H

#ifdef __cplusplus
#include <cstdint>
namespace xl::pc {
using uint = std::uint32_t;
#define XL_PC_SIZE(type, bytes) static_assert(sizeof(type) == (bytes), #type " must match its GLSL layout");
#else
#define XL_PC_SIZE(type, bytes)
#endif

// y[y_offset + t*y_stride + r] (+)= Σ_c W[r][c] · x[x_offset + t*x_stride + c], t < n, r < rows.
struct Matmul {
    uint n;           // tokens
    uint rows;        // output features
    uint cols;        // input features
    uint w_stride;    // row stride of W in storage words (f32: floats, f16: u32 pairs, q8_0: u32 of 4 int8)
    uint x_offset;    // in floats
    uint x_stride;
    uint y_offset;
    uint y_stride;
    uint accumulate;  // 1: y += W·x (fused residual add); 0: y = W·x
};
XL_PC_SIZE(Matmul, 36)

// RMSNorm / LayerNorm over rows of `dim` floats.
struct Norm {
    uint n;
    uint dim;
    float eps;
    uint has_bias;    // LayerNorm only
};
XL_PC_SIZE(Norm, 16)

// out[t][c] = row tokens[t] of the table.
struct Embedding {
    uint n;
    uint dim;
    uint w_stride;    // as Matmul.w_stride
};
XL_PC_SIZE(Embedding, 12)

// Rotate pairs of x [n][heads][head_dim] by positions[t]·inv_freq[j], times mscale (ref §1),
// times the xPos magnitude 2^(log2_zeta[j]·(positions[t] − xpos_centre)·xpos_rate) (ref §14).
struct Rope {
    uint n;
    uint heads;
    uint head_dim;
    uint pairs;       // rope_dim / 2
    uint neox;        // 0: pairs (2j, 2j+1); 1: pairs (j, j + pairs)
    float mscale;
    float xpos_rate;  // +1/γ for queries, −1/γ for keys; 0 = no xPos (log2_zeta not read)
    float xpos_centre;  // position c at which the xPos magnitude is 1
};
XL_PC_SIZE(Rope, 32)

// The fields every attention kernel reads first (its mask, branches and bias: position_plan.hpp),
// one block in each attention struct below so that they share one layout.
#define XL_ATTENTION_MASK_FIELDS \
    uint n;          /* queries (tokens) */ \
    uint n_heads; \
    uint n_kv_heads; \
    uint window;     /* 0 = unlimited */ \
    uint sinks; \
    uint far_window; /* i - j >= far_window uses the far branch (when compiled with FAR) */ \
    uint has_alibi;

// Tiled attention with online softmax; the mask and branches of position_plan.hpp.
struct Attention {
    XL_ATTENTION_MASK_FIELDS
    uint keys;        // keys attended: n, or the length of the key-index list (KEYSET variants)
    uint first_group; // query blocks before this dispatch's first (a pass dispatched in segments)
};
XL_PC_SIZE(Attention, 36)

// Attention probabilities of one head (or the mean over heads) reduced to grid×grid.
struct AttentionProbs {
    XL_ATTENTION_MASK_FIELDS
    int head;         // -1 = mean over heads
    uint grid;        // cells per side (n for the full matrix)
    uint slice;       // this dispatch sums rows slice/slices .. (slice+1)/slices of each cell
    uint slices;      // (slice > 0 adds to the cell: the loops of one invocation stay short)
};
XL_PC_SIZE(AttentionProbs, 44)

// Attention probabilities of chosen query rows over every key, every head (attention_rows.comp).
struct AttentionRows {
    XL_ATTENTION_MASK_FIELDS
    uint rows;        // query rows listed in the row buffer
    uint out_offset;  // floats: where this layer's [head][row][key] block starts
};
XL_PC_SIZE(AttentionRows, 36)

// Attention mass each key of an explicit key set receives (attention_keymass.comp): summed over
// heads and over the queries first_query .. end_query−1, written (accumulate: added) to
// out[out_offset + j], j < keys.
struct AttentionKeyMass {
    XL_ATTENTION_MASK_FIELDS
    uint keys;
    uint first_query;
    uint end_query;
    uint accumulate;  // 1: out += the sum (a later slice of the queries)
    uint out_offset;  // floats
};
XL_PC_SIZE(AttentionKeyMass, 48)

// Attention statistics of every head of one layer (attention_rowstats, attention_diagstats).
struct AttentionStats {
    XL_ATTENTION_MASK_FIELDS
    uint sink_tokens;  // rowstats: the mass on keys j < sink_tokens
    uint histogram;    // diagstats: 1 = count the logits into the layer's histogram
    uint rows_offset;  // floats before this layer's [2][H][n] rows (one buffer holds every layer)
    uint mass_offset;  // floats before this layer's [H][n] mass per distance
    uint counts_offset;  // counts before this layer's [bucket][bin] histogram
};
XL_PC_SIZE(AttentionStats, 48)

// Element-wise ops (swiglu, geglu, silu, add).
struct Elementwise {
    uint count;
};
XL_PC_SIZE(Elementwise, 4)

// y[i] = y[i] · scale + (has_bias ? bias[i mod width] : 0), i < count (biases, embedding scale).
struct Affine {
    uint count;
    uint width;
    float scale;
    uint has_bias;
};
XL_PC_SIZE(Affine, 16)

// out[out_offset + t] = logsumexp(logits[t]) − logits[t][targets[target_offset + t]], t < n.
struct Nll {
    uint n;
    uint vocab;
    uint target_offset;
    uint out_offset;
};
XL_PC_SIZE(Nll, 16)

#ifdef __cplusplus
}  // namespace xl::pc
#endif
#endif  // XL_PUSH_CONSTANTS_H
