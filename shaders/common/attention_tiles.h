// Queries per invocation of attention.comp for a head size, shared by the shader and
// core/forward/gpu_ops.cpp (which sizes the dispatch). Small heads take several queries per
// invocation so that each key/value fetch serves them all; large heads keep one (registers).
#ifndef XL_ATTENTION_TILES_H
#define XL_ATTENTION_TILES_H
#define XL_ATTENTION_GROUP 64                            // invocations per workgroup
#define XL_ATTENTION_QUERIES_PER_LANE(hd) ((hd) <= 16 ? 4 : 1)
#endif
