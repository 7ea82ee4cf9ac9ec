// Tile of matmul.comp, shared by the shader and core/forward/gpu_ops (which sizes the dispatch):
// each invocation computes up to TOKENS_PER_LANE tokens × ROWS rows in registers (tuned on
// lavapipe: 8 × 16 balances texel fetches against register spills). A workgroup's GROUP
// invocations are LT token lanes × GROUP/LT row groups (LT = 8 … 64, a multiple of the CPU
// drivers' 8-wide SIMD); a short input takes fewer token lanes before fewer tokens per lane
// (GpuOps::matmul_tiling), so that a 64-token pass still reuses each weight fetch 8 times.
#ifndef XL_MATMUL_TILES_H
#define XL_MATMUL_TILES_H
#define XL_MATMUL_GROUP 64             // invocations per workgroup
#define XL_MATMUL_TOKENS_PER_LANE 8    // the most; a power of two
#define XL_MATMUL_ROWS 16              // rows per row group
#define XL_MATMUL_MIN_LANES 8          // fewest token lanes
#endif
