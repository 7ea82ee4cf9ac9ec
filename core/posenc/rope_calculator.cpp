// The RoPE calculator (see rope_calculator.hpp). Each family is one function filling one entry.
#include "core/posenc/rope_calculator.hpp"

#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

using ojson = nlohmann::ordered_json;

struct Calc {
    const RopeCalcInput& in;
    int d;        // rotary dim
    double s;     // T / L
    std::string key(const std::string& k) const { return in.gguf_arch + "." + k; }
    std::string num(double v) const { return format_number(v); }
};

RopeCalcEntry entry(const char* family, const char* description, const char* section) {
    RopeCalcEntry e;
    e.family = family;
    e.description = description;
    e.section = section;
    return e;
}

RopeCalcEntry pi(const Calc& c) {
    RopeCalcEntry e = entry("pi", "Position Interpolation: positions divided by s", "§2");
    e.scale = c.s;
    e.method_spec = "linear:s=" + c.num(c.s);
    e.hf = {{"rope_scaling", {{"rope_type", "linear"}, {"factor", c.s}}},
            {"max_position_embeddings", c.in.target_ctx}};
    e.llamacpp = {"--rope-scaling", "linear", "--rope-scale", c.num(c.s), "-c", std::to_string(c.in.target_ctx)};
    e.gguf = {{c.key("rope.scaling.type"), "linear"}, {c.key("rope.scaling.factor"), c.s},
              {c.key("context_length"), c.in.target_ctx}};
    e.derived = {{"freq_scale", 1.0 / c.s}};
    e.notes.push_back("llama.cpp: --rope-scale s is --rope-freq-scale 1/s");
    return e;
}

RopeCalcEntry ntk(const Calc& c) {
    RopeCalcEntry e = entry("ntk", "NTK-aware base scaling b' = b*s^(d/(d-2))", "§3");
    e.scale = c.s;
    const double b2 = rope::ntk_base(c.in.base, c.s, c.d);
    e.method_spec = "ntk:a=" + c.num(c.s);
    e.hf = {{"rope_theta", b2}, {"rope_scaling", nullptr}};
    e.llamacpp = {"--rope-freq-base", c.num(b2), "-c", std::to_string(c.in.target_ctx)};
    e.gguf = {{c.key("rope.freq_base"), b2}};
    e.derived = {{"alpha", c.s}, {"base", b2}};
    e.notes.push_back("HF has no fixed NTK rope type: expressed as a new rope_theta (same as abf:base=" +
                      c.num(b2) + ")");
    return e;
}

RopeCalcEntry dynntk(const Calc& c) {
    RopeCalcEntry e = entry("dynntk", "Dynamic NTK (HF 'dynamic'): alpha = s*L/L0 - (s-1) from the current length",
                            "§4");
    e.scale = c.s;
    e.method_spec = "dynntk:s=" + c.num(c.s) + ",orig=" + std::to_string(c.in.train_ctx);
    e.hf = {{"rope_scaling", {{"rope_type", "dynamic"}, {"factor", c.s}}},
            {"max_position_embeddings", c.in.train_ctx}};
    e.gguf = nullptr;
    const double alpha_t = rope::dynntk_alpha_hf(c.s, c.in.target_ctx, c.in.train_ctx);
    e.derived = {{"alpha_at_target", alpha_t}, {"base_at_target", rope::ntk_base(c.in.base, alpha_t, c.d)}};
    e.notes.push_back("HF uses max_position_embeddings as L0: keep it at the training context");
    e.notes.push_back("llama.cpp has no dynamic NTK (base fixed per context): no flags, no GGUF keys");
    return e;
}

RopeCalcEntry yarn(const Calc& c) {
    RopeCalcEntry e = entry("yarn", "YaRN: NTK-by-parts frequencies + attention factor 0.1 ln s + 1", "§6");
    e.scale = c.s;
    const int L = c.in.train_ctx, T = c.in.target_ctx;
    e.method_spec = "yarn:s=" + c.num(c.s) + ",orig=" + std::to_string(L);
    e.hf = {{"rope_scaling", {{"rope_type", "yarn"}, {"factor", c.s}, {"original_max_position_embeddings", L},
                              {"beta_fast", 32}, {"beta_slow", 1}}},
            {"max_position_embeddings", T}};
    e.llamacpp = {"--rope-scaling", "yarn", "--rope-scale", c.num(c.s), "--yarn-orig-ctx", std::to_string(L),
                  "--yarn-ext-factor", "1", "--yarn-attn-factor", "1", "--yarn-beta-fast", "32",
                  "--yarn-beta-slow", "1", "-c", std::to_string(T)};
    e.gguf = {{c.key("rope.scaling.type"), "yarn"}, {c.key("rope.scaling.factor"), c.s},
              {c.key("rope.scaling.original_context_length"), L}, {c.key("context_length"), T}};
    const auto r = rope::yarn_corr_range(32, 1, c.d, c.in.base, L, true);
    const auto ra = rope::yarn_corr_range(32, 1, c.d, c.in.base, T, true);
    e.derived = {{"attention_factor", rope::yarn_get_mscale(c.s)},
                 {"logit_multiplier", std::pow(rope::yarn_get_mscale(c.s), 2)},
                 {"corr_low", r.low}, {"corr_high", r.high},
                 {"hf_a_corr_low", ra.low}, {"hf_a_corr_high", ra.high}};
    e.notes.push_back("with max_position_embeddings = T and original = L, HF-B's factor (T/L) equals the "
                      "explicit factor, so HF-B and HF-C agree");
    e.notes.push_back("HF-A computes the correction range on max_position_embeddings (T): pairs " +
                      c.num(ra.low) + ".." + c.num(ra.high) + " instead of " + c.num(r.low) + ".." +
                      c.num(r.high));
    e.notes.push_back("llama.cpp: --yarn-ext-factor 1, --yarn-attn-factor 1 and the betas are its defaults "
                      "under --rope-scaling yarn; the attention factor 0.1 ln s + 1 is applied by the op");
    return e;
}

RopeCalcEntry llama3(const Calc& c) {
    RopeCalcEntry e = entry("llama3", "Llama-3 scaling: keep high frequencies, divide low ones by s", "§9");
    e.scale = c.s;
    const int L = c.in.train_ctx;
    e.method_spec = "llama3:s=" + c.num(c.s) + ",low=1,high=4,orig=" + std::to_string(L);
    e.hf = {{"rope_scaling", {{"rope_type", "llama3"}, {"factor", c.s}, {"low_freq_factor", 1},
                              {"high_freq_factor", 4}, {"original_max_position_embeddings", L}}},
            {"max_position_embeddings", c.in.target_ctx}};
    ojson div = ojson::array();
    int kept = 0, scaled = 0;
    for (int j = 0; j < c.d / 2; ++j) {
        const double v = rope::llama3_divisor(rope::theta(j, c.d, c.in.base), c.s, 1, 4, L);
        div.push_back(v);
        kept += v == 1.0;
        scaled += v == c.s;
    }
    e.llamacpp = {"-c", std::to_string(c.in.target_ctx)};
    e.gguf = {{"rope_freqs.weight", div}, {c.key("context_length"), c.in.target_ctx}};
    e.derived = {{"pairs_kept", kept}, {"pairs_divided_by_s", scaled}, {"pairs_smoothed", c.d / 2 - kept - scaled}};
    e.notes.push_back("llama.cpp has no llama3 flags: the converter bakes the per-pair divisors as the "
                      "rope_freqs tensor (listed under gguf)");
    return e;
}

RopeCalcEntry abf(const Calc& c) {
    RopeCalcEntry e = entry("abf", "Base change by the critical-dimension rule of the RoPE scaling laws", "§18");
    const auto cd = rope::critical_dimension(c.d, c.in.base, c.in.train_ctx);
    const double needed = rope::base_for_length(c.d, cd.d_extra, c.in.target_ctx);
    const double b2 = std::max(needed, c.in.base);
    e.method_spec = "abf:base=" + c.num(b2);
    e.hf = {{"rope_theta", b2}, {"rope_scaling", nullptr}, {"max_position_embeddings", c.in.target_ctx}};
    e.llamacpp = {"--rope-freq-base", c.num(b2), "-c", std::to_string(c.in.target_ctx)};
    e.gguf = {{c.key("rope.freq_base"), b2}, {c.key("context_length"), c.in.target_ctx}};
    e.derived = {{"critical_pairs", cd.pairs}, {"d_extra", cd.d_extra}, {"t_extra", cd.t_extra}, {"base", b2}};
    if (needed <= c.in.base)
        e.notes.push_back("T is within the extrapolation bound T_extra = " + c.num(cd.t_extra) +
                          " of the current base: no change needed");
    e.notes.push_back("ABF is a fine-tuning recipe: the new base is meant to be trained with");
    return e;
}

}  // namespace

RopeCalcInput rope_calc_input(const ModelConfig& config, int target_ctx) {
    RopeCalcInput in;
    in.target_ctx = target_ctx;
    in.head_dim = config.head_dim;
    in.rotary_dim = config.rope_dim;
    in.base = config.rope_base;
    in.train_ctx = config.train_context_length;
    return in;
}

RopeCalculation rope_calculator(const RopeCalcInput& in) {
    const std::string subject = "rope calculator";
    if (in.train_ctx < 2) throw Error(ErrorKind::BadArgument, subject, "training context must be >= 2 tokens");
    if (in.target_ctx < in.train_ctx)
        throw Error(ErrorKind::BadArgument, subject,
                    "target context " + std::to_string(in.target_ctx) + " is below the training context " +
                        std::to_string(in.train_ctx));
    if (in.head_dim < 4 || in.head_dim % 2)
        throw Error(ErrorKind::BadArgument, subject, "head dim must be even and >= 4");
    const int d = in.rotary_dim > 0 ? in.rotary_dim : in.head_dim;
    if (d < 4 || d % 2 || d > in.head_dim)
        throw Error(ErrorKind::BadArgument, subject, "rotary dim must be even, >= 4 and <= head dim");
    if (!(in.base > 1) || !std::isfinite(in.base))
        throw Error(ErrorKind::BadArgument, subject, "RoPE base must be > 1");
    RopeCalculation calc;
    calc.input = in;
    calc.rotary_dim = d;
    calc.scale = double(in.target_ctx) / in.train_ctx;
    const Calc c{in, d, calc.scale};
    calc.entries = {pi(c), ntk(c), dynntk(c), yarn(c), llama3(c), abf(c)};
    return calc;
}

nlohmann::ordered_json rope_calculation_json(const RopeCalculation& calc) {
    ojson out;
    const RopeCalcInput& in = calc.input;
    out["input"] = {{"target_ctx", in.target_ctx}, {"head_dim", in.head_dim}, {"rotary_dim", calc.rotary_dim},
                    {"base", in.base}, {"train_ctx", in.train_ctx}, {"gguf_arch", in.gguf_arch}};
    out["scale"] = calc.scale;
    out["families"] = ojson::array();
    for (const RopeCalcEntry& e : calc.entries) {
        ojson f = {{"family", e.family}, {"description", e.description}, {"section", e.section},
                   {"method_spec", e.method_spec}, {"scale", e.scale}, {"hf", e.hf},
                   {"llamacpp", e.llamacpp}, {"llamacpp_command_line", llamacpp_command_line(e)},
                   {"gguf", e.gguf}, {"derived", e.derived}, {"notes", e.notes}};
        out["families"].push_back(std::move(f));
    }
    return out;
}

std::string llamacpp_command_line(const RopeCalcEntry& entry) {
    std::string out;
    for (const std::string& a : entry.llamacpp) append_item(out, " ", a);
    return out;
}

}  // namespace xl
