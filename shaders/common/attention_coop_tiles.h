// Tiles of shaders/attention_coop.comp, shared by the shader and core/forward/gpu_ops.cpp.
// Each subgroup owns 16 queries; a workgroup has 4 subgroups (64 queries) up to head_dim 64 and
// 2 (32 queries) above, so that shared memory stays under 48 KiB. Heads narrower than 16 are
// padded with zeros to one 16-wide tile. Keys are taken XL_ATTN_COOP_BKV at a time.
#ifndef XL_ATTENTION_COOP_TILES_H
#define XL_ATTENTION_COOP_TILES_H
#define XL_ATTN_COOP_BKV 32
#define XL_ATTN_COOP_MAX_HD 128                                  // larger heads: scalar kernel
#define XL_ATTN_COOP_HDP(hd) ((hd) < 16 ? 16 : (hd))             // padded head (multiple of 16)
#define XL_ATTN_COOP_SUBGROUPS(hd) ((hd) <= 64 ? 4 : 2)
#define XL_ATTN_COOP_QUERIES(hd) (16 * XL_ATTN_COOP_SUBGROUPS(hd))
#endif
