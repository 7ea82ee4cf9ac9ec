// Position methods: parse a user spec ("yarn:s=4,orig=512"), and compile it into a PositionPlan
// for a model and a sequence length. One file per method family in core/posenc/ registers itself
// in the method registry (method_registry.cpp); a new method is a new file, not a new kernel.
//
//   MethodSpec spec = parse_method_spec("ntk:a=4");
//   PositionPlan plan = make_plan(spec, model.config, /*seq_len*/ 2048);
//   RopeTable t = rope_table(spec, /*head_dim*/ 64, /*base*/ 10000, /*train ctx*/ 4096);
//
// Spec grammar: components "name[:key=value,key=value]" joined by '+' (applied in stage order: base
// change, then the one signal method, then modifiers), e.g. "abf:base=5e5+yarn:s=4,conv=llamacpp+logn";
// list values are separated by '/' ("longrope:long=1/1.5/2/4"). list_methods() and
// method_registry.hpp give every method with its keys and defaults; relative_positions.hpp gives
// a plan's effective distance matrix; rope_math.hpp the closed-form formulas.
// Formulas follow the project's reference of position methods (section numbers cited per file).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

struct MethodSpec {
    std::string name;                          // "none", "linear", "ntk", "dynntk", "yarn", "abf", "logn", "alibi", ...
    std::map<std::string, std::string> params; // as given, e.g. {"s","4"}
    std::vector<MethodSpec> extra;             // combinations joined with '+', e.g. "yarn:s=4+logn"
    std::string canonical() const;             // normalised spec text, used in outputs
    double get(const std::string& key, double fallback) const;  // numeric param or default
};

// Throws Error(BadArgument) naming the spec on unknown methods/keys or malformed values.
MethodSpec parse_method_spec(const std::string& text);

// Builds the plan for `seq_len` tokens. Dynamic methods use seq_len as the current length.
PositionPlan make_plan(const MethodSpec& spec, const ModelConfig& config, int seq_len);

// Per-pair analytic view of a RoPE method (extrapolab rope; the frequency remap panel).
struct RopeTable {
    std::vector<double> inv_freq_original;  // θ_j = b^(-2j/d)
    std::vector<double> inv_freq;           // θ'_j after the method
    std::vector<double> wavelength;         // 2π/θ'_j, tokens
    std::vector<double> ramp;               // interpolation weight γ/w_j in [0,1] (1 = fully interpolated); 0 where n/a
    double attention_factor = 1;            // mscale on cos/sin
    std::string convention;
    double ramp_low = 0, ramp_high = 0;     // YaRN / NTK-by-parts correction range in pair index (0 = n/a)
    std::vector<double> xpos_zeta;          // xPos ζ_j per pair (§14); empty = no xPos
    double xpos_scale_base = 0;             // xPos γ (0 = no xPos)
    std::string method;                     // resolved canonical spec
};
RopeTable rope_table(const MethodSpec& spec, int head_dim, double base, int train_context, int seq_len = 0);

// Names of all registered methods with one-line descriptions (for --help and the app).
std::vector<std::pair<std::string, std::string>> list_methods();

}  // namespace xl
