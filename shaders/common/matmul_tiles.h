// Tile of matmul.comp, shared by the shader and core/forward/gpu_ops (which sizes the dispatch):
// each invocation computes up to TOKENS_PER_LANE tokens × ROWS rows in registers (tuned on
// lavapipe: 8 × 16 balances texel fetches against register spills); fewer tokens per lane (1, 2,
// 4: a specialization constant, GpuOps::matmul_tokens_per_lane) when the input is short.
#ifndef XL_MATMUL_TILES_H
#define XL_MATMUL_TILES_H
#define XL_MATMUL_GROUP 64             // invocations per workgroup
#define XL_MATMUL_TOKENS_PER_LANE 8    // the most; a power of two
#define XL_MATMUL_ROWS 16              // rows per workgroup
#endif
