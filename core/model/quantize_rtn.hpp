// Round-to-nearest quantisers into the ggml block layouts that core/model/dequant_*.cpp read
// (llama.cpp's ggml-quants.c layouts; the k-quant scales are chosen by plain min/max per sub-block,
// not llama.cpp's iterative search, so they are coarser than a real Q4_K_M file but read the same).
// They make synthetic weights for benchmarks and tests:
//   std::vector<uint8_t> row(row_bytes(TensorType::Q4_K, 512));
//   xl::quantize_row(TensorType::Q4_K, x.data(), 512, row.data());
#pragma once

#include <cstdint>

#include "core/model/tensor_types.hpp"

namespace xl {

// The types quantize_row writes.
bool can_quantize(TensorType type);

// Writes n values (a multiple of the type's block) as `type`; throws Unsupported for the others.
void quantize_row(TensorType type, const float* x, int64_t n, uint8_t* out);

}  // namespace xl
