// The experiment state a preset saves (DESIGN.md #7): model, text, up to four configurations
// A-D compared side by side, lengths, perplexity protocol, the panels to show and, for teaching
// presets, a lesson. Plain data; validation lives in validate_session().
//
//   Session s = default_session();
//   s.configs.push_back({"yarn:s=4,orig=512"});      // becomes configuration B
//   validate_session(s, "my.json");                   // throws Error(BadArgument) naming the file
#pragma once
#include <string>
#include <vector>
#include "core/model/model.hpp"

namespace xl {

constexpr int kMaxConfigs = 4;
char config_label(int index);  // 0 -> 'A', ...

struct Configuration {
    std::string method = "none";  // method spec text, e.g. "yarn:s=4,orig=512" (parse_method_spec)
    bool enabled = true;          // disabled configurations are kept but not computed
    bool operator==(const Configuration&) const = default;
};

struct Session {
    std::string name = "untitled";           // preset title shown in the window
    std::string model;                       // model file; empty = the bundled default (stories260K)
    std::string tokenizer;                   // side tokenizer for llama2.c files; empty = default/embedded
    std::string text;                        // evaluation text; empty = the bundled TinyStories sample
    std::string doc_prefix;                  // put before every document after BOS (the ALiBi model: " STARTSTORY ")
    bool flatten_newlines = false;           // newlines inside documents become spaces (as the model was trained)
    std::vector<Configuration> configs = {Configuration{}};  // 1..4 (A-D)
    int eval_length = 1024;                  // tokens: per-position loss, attention maps, entropy (2..65536)
    std::vector<int> lengths = {256, 512, 1024, 2048};  // perplexity-vs-length sweep (each 2..65536)
    std::string protocol = "all";            // "all", "half", "sliding:S" (core/metrics/protocol.hpp)
    int max_windows = 1;                     // windows per length in the sweep (0 = every window), 0..10000
    int attention_grid = 128;                // attention map reduced to at most grid×grid cells (8..1024)
    int posvec_windows = 8;                  // Positional vectors: windows of eval_length averaged (1..10000)
    // KV-cache eviction: every policy × bookkeeping × budget for each configuration's method, and
    // one kept-token map cell, on the session's Vulkan engine (bounded by device memory) or the
    // CPU reference (at most kEvictCpuMaxTokens).
    int evict_tokens = 512;                  // tokens of the text simulated (2..kEvictMaxTokens)
    bool evict_cpu = false;                  // simulate on the CPU reference instead of the GPU
    std::vector<int> evict_budgets = {32, 64, 128};  // cache budgets, entries per layer
    int evict_chunk = 32;                    // tokens per step
    int evict_sinks = 4;                     // streaming: attention sinks
    std::string evict_map_policy = "streaming";      // map cell: policy name (eviction_policy.hpp)
    std::string evict_map_positions = "reassigned";  // ... bookkeeping name
    int evict_map_budget = 64;               // ... budget
    // Needle: prompt lengths (empty = 512), needle depths in [0, 1], tasks "passkey,sentence".
    // Small by default: tasks × lengths × depths forward passes per configuration.
    std::vector<int> needle_lengths;
    std::vector<double> needle_depths = {0.1, 0.5, 0.9};
    std::string needle_tasks = "passkey,sentence";
    std::vector<std::string> panels;         // panel ids to show (all_panel_ids()); empty = all
    std::string lesson_title;                // teaching presets: heading of the lesson
    std::string lesson;                      // teaching presets: text shown beside the plots
    std::string base_dir;                    // not saved: directory relative paths resolve against

    bool operator==(const Session&) const = default;
};

// Panel ids in display order: "model", "method", "perplexity", "attention", "rope_phase",
// "freq_remap", "logit_decay", "alibi", "positions", "entropy", "posvec", "evict", "needle",
// "logit_spread".
const std::vector<std::string>& all_panel_ids();
// The eviction view's length caps: the session's longest text on the Vulkan path (where device
// memory bounds the budget further), and on the scalar CPU reference (time grows with tokens × budget).
constexpr int kEvictMaxTokens = 65536;
constexpr int kEvictCpuMaxTokens = 1024;
bool shows_panel(const Session& s, const std::string& id);

Session default_session();
// Lengths that follow a newly opened model's training context T (when the file states one): the
// sweep at T/4, T/2, T, 2T, 4T (within 2..65536) and the eval window at min(T, 2048) (the quick
// stage re-runs at every slider move). Leaves the session unchanged when T is unknown.
void follow_training_context(Session& s, const ModelConfig& config);
// Checks ranges and method/protocol syntax; throws Error(BadArgument, subject, message).
void validate_session(const Session& s, const std::string& subject);
// Every enabled configuration builds its position plan on `model` at the evaluation length and
// at each sweep length (parameter ranges, factor counts, RoPE-only methods on ALiBi models...).
void validate_plans(const Session& s, const ModelConfig& model, const std::string& subject);
// Absolute paths as given; relative ones are tried against base_dir, its parent, then the
// working directory; the first that exists wins (else base_dir/path).
std::string resolve_path(const std::string& path, const std::string& base_dir);

}  // namespace xl
