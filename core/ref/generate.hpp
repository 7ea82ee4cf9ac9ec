// Text generation over any forward pass (the CPU reference or the Vulkan engine): greedy when
// temperature == 0, otherwise sampling from softmax(logits / temperature) with a seeded RNG.
//
//   auto plans = xl::method_plans(xl::parse_method_spec("none"), model.config);
//   std::vector<int> out = xl::generate(fwd, model, {model.tokenizer->bos()}, 64, 0.f, 1, plans);
//   std::string text = model.tokenizer->decode(out);   // prompt + continuation
//
// Simple by design: every step re-runs the whole sequence (no KV cache), which is fine for the
// small models and short continuations this is used for (tests, `extrapolab generate`).
#pragma once
#include <cstdint>
#include <functional>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/model/model.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

// Builds the position plan for a sequence of `seq_len` tokens (e.g. wraps xl::make_plan).
using PlanFactory = std::function<PositionPlan(int seq_len)>;
// The usual factory: xl::make_plan(spec, config, seq_len) (copies spec and config).
PlanFactory method_plans(const MethodSpec& spec, const ModelConfig& config);

// Index of the token to emit from `logits` (size vocab): argmax (lowest index on ties) when
// temperature <= 0, else a draw from softmax(logits / temperature) using `u` in [0, 1).
int pick_token(const std::vector<float>& logits, float temperature, double u);

// Called after each step with the next-token logits and the chosen token (e.g. to print the
// candidates and the margin of a greedy choice).
using StepObserver = std::function<void(const std::vector<int>& context, const std::vector<float>& logits, int chosen)>;

// Returns prompt + up to n_new generated tokens. Stops before emitting the tokenizer's EOS or
// BOS (the end of a story), or when the backend's max_tokens() would be exceeded.
std::vector<int> generate(Forward& forward, const Model& model, const std::vector<int>& prompt, int n_new,
                          float temperature, uint64_t seed, const PlanFactory& plan_for,
                          const StepObserver& observe = {});

}  // namespace xl
