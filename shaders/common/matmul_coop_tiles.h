// Tiles of shaders/matmul_coop.comp, shared by the shader and core/forward/gpu_ops.cpp.
// Small: 64 tokens × 64 rows, 2×2 subgroups; large (XL_COOP_LARGE): 128 × 128, 2×4 subgroups.
// BK: columns staged per step (cols must be a multiple of it).
#ifndef XL_MATMUL_COOP_TILES_H
#define XL_MATMUL_COOP_TILES_H
#define XL_COOP_SMALL_BM 64
#define XL_COOP_SMALL_BN 64
#define XL_COOP_LARGE_BM 128
#define XL_COOP_LARGE_BN 128
#define XL_COOP_BK 32
#ifdef XL_COOP_LARGE
#define XL_COOP_BM XL_COOP_LARGE_BM
#define XL_COOP_BN XL_COOP_LARGE_BN
#define XL_COOP_WM 2
#define XL_COOP_WN 4
#else
#define XL_COOP_BM XL_COOP_SMALL_BM
#define XL_COOP_BN XL_COOP_SMALL_BN
#define XL_COOP_WM 2
#define XL_COOP_WN 2
#endif
#endif
