// The one table of weight types: name, ggml type id, block shape in the file, storage on the GPU
// and the scalar dequantiser. row_bytes, the GGUF reader, the upload (core/forward/gpu_tensor)
// and the shader-variant choice (core/forward/gpu_ops) all read it.
//
//   const xl::TensorTypeInfo& q = xl::type_info(xl::TensorType::Q4_K);
//   q.block_elems == 256; q.block_bytes == 144; q.variant == "q4_k";
//   const xl::TensorTypeInfo* t = xl::type_info_by_ggml(12);   // Q4_K; null when unsupported
//
// Adding a weight type: an enumerator (model.hpp), a row here (tensor_types.cpp), its block
// dequantiser (dequant_*.cpp), its GLSL reader (shaders/common/weights_*.glsl) and one line in
// shaders/matmul.variants and shaders/embedding.variants.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "core/model/model.hpp"

namespace xl {

// How a weight tensor is laid out on the GPU (shaders/common/weights.glsl).
enum class GpuWeightLayout {
    Float4,  // RGBA32F texels, rows padded to a multiple of 4 floats
    Half4,   // RG32UI texels of 4 16-bit values (F16 or BF16), rows padded to a multiple of 4
    Blocks,  // R32UI words: the file's blocks, each padded to whole words (see gpu_pad_at)
};

// Dequantises one block: block_elems floats from block_bytes bytes.
using DequantizeBlock = void (*)(const uint8_t* block, float* out);

struct TensorTypeInfo {
    TensorType type;
    const char* name;          // ggml's name ("Q4_K")
    uint32_t ggml_id;          // ggml_type id in GGUF files
    int block_elems;           // elements per block (1 for the float types)
    int block_bytes;           // bytes per block in the file
    GpuWeightLayout gpu_layout;
    int gpu_block_bytes;       // Blocks: bytes per block on the GPU (a multiple of 4)
    int gpu_pad_at;            // Blocks: offset where gpu_block_bytes - block_bytes zero bytes go
    const char* variant;       // shader variant suffix: matmul_<variant>, embedding_<variant>
    DequantizeBlock dequantize_block;
};

std::span<const TensorTypeInfo> tensor_types();  // every supported type, in enum order
const TensorTypeInfo& type_info(TensorType t);
const TensorTypeInfo* type_info_by_ggml(uint32_t ggml_id);
std::string supported_type_names();  // "F32, F16, ..." for error messages

// Block dequantisers (dequant_float.cpp, dequant_legacy.cpp, dequant_kquants.cpp): the scalar
// definitions that equal the gguf Python package's gguf.quants bit for bit.
void dequantize_f32(const uint8_t* b, float* out);
void dequantize_f16(const uint8_t* b, float* out);
void dequantize_bf16(const uint8_t* b, float* out);
void dequantize_q4_0(const uint8_t* b, float* out);
void dequantize_q4_1(const uint8_t* b, float* out);
void dequantize_q5_0(const uint8_t* b, float* out);
void dequantize_q5_1(const uint8_t* b, float* out);
void dequantize_q8_0(const uint8_t* b, float* out);
void dequantize_iq4_nl(const uint8_t* b, float* out);
void dequantize_q2_k(const uint8_t* b, float* out);
void dequantize_q3_k(const uint8_t* b, float* out);
void dequantize_q4_k(const uint8_t* b, float* out);
void dequantize_q5_k(const uint8_t* b, float* out);
void dequantize_q6_k(const uint8_t* b, float* out);
void dequantize_iq4_xs(const uint8_t* b, float* out);

}  // namespace xl
