// The "RoPE calculator": a target context T and a model's (rotary dim, base, training context L)
// in; for each method family the parameters in every convention out — the project's method spec,
// Hugging Face config keys, llama.cpp command-line flags and GGUF metadata keys.
//
//   RopeCalcInput in{.target_ctx = 32768, .head_dim = 128, .base = 1e4, .train_ctx = 4096};
//   RopeCalculation calc = rope_calculator(in);
//   for (const auto& e : calc.entries) std::printf("%s: %s\n", e.family.c_str(), e.method_spec.c_str());
//   std::string text = rope_calculation_json(calc).dump(2);
//
// Families and their formulas (position-methods.md):
//   pi      §2   s = T/L; positions divided by s.
//   ntk     §3   NTK-aware base b' = b·s^(d/(d−2)) (lowest frequency divided by s).
//   dynntk  §4   HF "dynamic" with factor s; L0 = max_position_embeddings must stay L.
//   yarn    §6   s = T/L, correction range on L (β_fast 32, β_slow 1), attention factor 0.1 ln s + 1.
//   llama3  §9   s = T/L, low 1, high 4, original L; llama.cpp bakes per-pair divisors (rope_freqs).
//   abf     §18  critical dimension d_extra = 2⌈(d/2)·log_b(L/2π)⌉ and the base whose d_extra-th
//                dimension covers T: b' = (T/2π)^(d/d_extra) (kept at b when already enough).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/model/model.hpp"

namespace xl {

struct RopeCalcInput {
    int target_ctx = 0;        // T, tokens (> train_ctx for a scaling; equal gives s = 1)
    int head_dim = 0;          // attention head size
    double base = 10000;       // the model's RoPE base b
    int train_ctx = 0;         // L, the model's (original) training context
    int rotary_dim = 0;        // rotated dims per head d (0 = head_dim; partial rotary otherwise)
    std::string gguf_arch = "llama";  // prefix of the GGUF keys
};

struct RopeCalcEntry {
    std::string family;                  // "pi", "ntk", "dynntk", "yarn", "llama3", "abf"
    std::string description;             // one line
    std::string section;                 // position-methods.md section
    std::string method_spec;             // this project's spec (parse_method_spec)
    double scale = 1;                    // s = T/L (1 for abf)
    nlohmann::ordered_json hf;           // config.json keys: {"rope_scaling": {...}, "rope_theta": ...,
                                         // "max_position_embeddings": ...}; null when HF has no form
    std::vector<std::string> llamacpp;   // llama.cpp flags, e.g. {"--rope-scaling", "yarn", ...}; empty = none
    nlohmann::ordered_json gguf;         // GGUF metadata keys (and baked tensors) of a converted model
    nlohmann::ordered_json derived;      // values worth showing: new base, attention factor, range, ...
    std::vector<std::string> notes;      // convention remarks
};

struct RopeCalculation {
    RopeCalcInput input;
    int rotary_dim = 0;                  // d used
    double scale = 1;                    // T/L
    std::vector<RopeCalcEntry> entries;  // in the family order above
};

// The input for a loaded model: its head size, rotary dims, base and training context.
RopeCalcInput rope_calc_input(const ModelConfig& config, int target_ctx);
// Throws Error(BadArgument) when T, L, head_dim, rotary dim or base are out of range.
RopeCalculation rope_calculator(const RopeCalcInput& input);
// {"input": {...}, "scale": s, "families": [{family, method_spec, hf, llamacpp, gguf, derived, notes}]}
nlohmann::ordered_json rope_calculation_json(const RopeCalculation& calc);
// The llama.cpp flags of one entry as one shell-ready string ("" when none).
std::string llamacpp_command_line(const RopeCalcEntry& entry);

}  // namespace xl
