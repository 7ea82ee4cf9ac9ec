// Import the RoPE settings of a Hugging Face `config.json` as a method spec of this project.
// Both layouts are read: v4 `rope_scaling` (+ top-level `rope_theta`, `partial_rotary_factor`)
// and v5 `rope_parameters` (rope_theta and the scaling keys in one object, possibly one object
// per attention type, of which `full_attention` is taken).
//
//   HfRopeImport r = import_hf_rope_config_file("config.json");            // newest rules (HF-C)
//   MethodSpec spec = parse_method_spec(r.spec);   // e.g. "abf:base=500000+llama3:s=8,...,orig=8192"
//   for (auto& w : r.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
//
// rope_type → method: default/mrope → none, linear → linear, dynamic → dynntk (HF's L0 is
// max_position_embeddings, §4), yarn → yarn (conv=hf; DeepSeek models with mscale_all_dim →
// yarn_deepseek, §6.4), longrope/su → longrope (select=hf), llama3 → llama3. rope_theta becomes an
// `abf:base=...` component; when it is missing a warning is returned and the model's base is used.
//
// Transformers changed how YaRN reads its keys (position-methods.md §0, §6.2, §19 rows 4-6):
//   HF-A  s = factor; correction range on max_position_embeddings; no mscale/mscale_all_dim/truncate.
//   HF-B  s = max_position_embeddings / original_max_position_embeddings whenever the latter is in
//         rope_scaling (the explicit factor is overridden); correction range on the original context.
//   HF-C  explicit factor wins (max_pos/orig only when factor is absent); correction range on the
//         original context; `truncate` honoured. The v5 rope_parameters layout is always HF-C.
// LongRoPE's scale follows the same A/B vs C rule with a top-level original_max_position_embeddings.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace xl {

enum class HfGeneration { A, B, C };
const char* to_string(HfGeneration g);          // "HF-A", "HF-B", "HF-C"
// "a", "b", "c", "hf-a", "HF-B", ... ; throws Error(BadArgument) naming the text.
HfGeneration parse_hf_generation(const std::string& text);

struct HfRopeImport {
    std::string spec;                 // method spec text for parse_method_spec
    std::string rope_type;            // normalised HF rope type ("default", "yarn", ...)
    std::string layout;               // "rope_scaling (v4)", "rope_parameters (v5)" or "none"
    HfGeneration generation = HfGeneration::C;  // the rules used (v5 layout forces HF-C)
    double rope_theta = 0;            // 0 = missing (warned)
    int max_position_embeddings = 0;  // 0 = missing
    int original_context = 0;         // original_max_position_embeddings used (0 = n/a)
    double factor = 0;                // scale factor the generation's rules give (0 = n/a)
    int head_dim = 0;                 // head_dim, else hidden_size / num_attention_heads (0 = unknown)
    double partial_rotary_factor = 1;
    int rotary_dim = 0;               // head_dim × partial_rotary_factor, even (0 = unknown)
    std::vector<std::string> warnings;  // e.g. "rope_theta missing: ..."
    std::vector<std::string> notes;     // how generation-dependent values were resolved
};

// `subject` names the file in errors. Throws Error(BadArgument, subject, ...) on an unknown rope
// type, a missing or malformed required key, or factor lists of the wrong length.
HfRopeImport import_hf_rope_config(const nlohmann::json& config, HfGeneration generation,
                                   const std::string& subject);
// Parses JSON text (Error BadArgument naming `subject` when it is not a JSON object).
HfRopeImport import_hf_rope_config_text(const std::string& json_text, HfGeneration generation,
                                        const std::string& subject);
// Reads the file (Error BadFile when unreadable).
HfRopeImport import_hf_rope_config_file(const std::string& path, HfGeneration generation = HfGeneration::C);

}  // namespace xl
