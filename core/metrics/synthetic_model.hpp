// Random weights in the shape of a named real model, so that forward-pass speed can be measured
// without the large file (`extrapolab bench --synthetic tinyllama-1.1b`). Values are uniform with
// standard deviation 0.02 (norm weights 1), from a seeded generator; no vocabulary is attached.
//
//   Model m = make_synthetic_model("tinyllama-1.1b", TensorType::F16, /*seed*/ 1);
//   for (auto& [name, what] : synthetic_shapes()) ...
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/model/model.hpp"

namespace xl {

// Known shapes: name -> one-line description (dims, layers, heads, vocabulary).
std::vector<std::pair<std::string, std::string>> synthetic_shapes();

// Throws Error(BadArgument) naming the shape when unknown. `type` is the matrices' storage type
// (F32, F16, BF16 or Q8_0); norm vectors are F32.
Model make_synthetic_model(const std::string& shape, TensorType type, uint64_t seed = 1);

}  // namespace xl
