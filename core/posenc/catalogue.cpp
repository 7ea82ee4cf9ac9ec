// The method catalogue at a length factor (rules and sources in catalogue.hpp).
#include "core/posenc/catalogue.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "core/error.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/method_registry.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

struct Ctx {
    const ModelConfig& config;
    double f;     // length factor
    int L0;       // training length
    std::string n(double v) const { return format_number(v); }
    std::string orig() const { return "orig=" + n(L0); }
    int quarter() const { return std::max(1, L0 / 4); }
};

struct Rule {
    std::string spec;     // "" with a reason in `skipped`
    std::string note;
    std::string skipped;
};

bool applies(const MethodInfo& m, PositionSignal p) {
    return m.applies == MethodApplies::Any || (m.applies == MethodApplies::RoPE && p == PositionSignal::RoPE) ||
           (m.applies == MethodApplies::ALiBi && p == PositionSignal::ALiBi);
}

// LongRoPE "long" factors: the YaRN per-pair divisors θ_j/θ'_j at s = f (§5, §8).
std::string longrope_long(const Ctx& c) {
    const int d = c.config.rope_dim > 0 ? c.config.rope_dim : c.config.head_dim;
    const RopeTable t = rope_table(parse_method_spec("ntkparts:s=" + c.n(c.f) + "," + c.orig()), d,
                                   c.config.rope_base, c.L0);
    std::string out;
    for (size_t j = 0; j < t.inv_freq.size(); ++j) append_item(out, "/", c.n(t.inv_freq_original[j] / t.inv_freq[j]));
    return out;
}

std::string ones(const Ctx& c) {
    const int d = c.config.rope_dim > 0 ? c.config.rope_dim : c.config.head_dim;
    std::string out;
    for (int j = 0; j < d / 2; ++j) append_item(out, "/", "1");
    return out;
}

// "Scaling Laws of RoPE-based Extrapolation": the period 2π·b'^(d_extra/d) of the critical
// dimension reaches the target T when b' = b^(ln(T/2π) / ln(L0/2π)) (continuous form).
double abf_base(const Ctx& c) {
    const double two_pi = 2 * rope::kPi;
    return std::pow(double(c.config.rope_base), std::log(c.f * c.L0 / two_pi) / std::log(c.L0 / two_pi));
}

using RuleFn = std::function<Rule(const Ctx&)>;

const std::map<std::string, RuleFn>& rules() {
    static const std::map<std::string, RuleFn> r = {
        {"none", [](const Ctx&) { return Rule{"none", "the model's own positions", ""}; }},
        {"nope", [](const Ctx&) { return Rule{"nope", "no position signal (baseline)", ""}; }},
        {"file", [](const Ctx&) {
             return Rule{"", "", "the scaling stored in the model file: not configured for a factor"};
         }},
        {"linear", [](const Ctx& c) { return Rule{"linear:s=" + c.n(c.f), "s = f", ""}; }},
        {"ntk", [](const Ctx& c) { return Rule{"ntk:a=" + c.n(c.f), "a = f", ""}; }},
        {"ntkmixed", [](const Ctx& c) { return Rule{"ntkmixed:k=" + c.n(c.f) + ",b=0.75", "k = f", ""}; }},
        {"dynntk", [](const Ctx& c) { return Rule{"dynntk:s=1," + c.orig(), "alpha follows the length", ""}; }},
        {"qwenntk", [](const Ctx& c) { return Rule{"qwenntk:" + c.orig(), "alpha steps with the length", ""}; }},
        {"ntkparts", [](const Ctx& c) { return Rule{"ntkparts:s=" + c.n(c.f) + "," + c.orig(), "s = f", ""}; }},
        {"yarn", [](const Ctx& c) { return Rule{"yarn:s=" + c.n(c.f) + "," + c.orig(), "s = f", ""}; }},
        {"dynyarn", [](const Ctx& c) { return Rule{"dynyarn:s=1," + c.orig(), "scale follows the length", ""}; }},
        {"yarn_deepseek",
         [](const Ctx& c) { return Rule{"yarn_deepseek:s=" + c.n(c.f) + "," + c.orig(), "s = f", ""}; }},
        {"dynpi", [](const Ctx& c) { return Rule{"dynpi:" + c.orig(), "scale follows the length", ""}; }},
        {"llama3",
         [](const Ctx& c) { return Rule{"llama3:s=" + c.n(c.f) + ",low=1,high=4," + c.orig(), "s = f", ""}; }},
        {"longrope",
         [](const Ctx& c) {
             return Rule{"longrope:long=" + longrope_long(c) + ",short=" + ones(c) + ",s=" + c.n(c.f) + "," +
                             c.orig() + ",select=hf,policy=su",
                         "long = YaRN divisors at s = f (no search), short = 1", ""};
         }},
        {"abf", [](const Ctx& c) {
             return Rule{"abf:base=" + c.n(abf_base(c)), "base whose critical period reaches f x train", ""};
         }},
        {"alibi", [](const Ctx& c) { return Rule{"alibi:interp=" + c.n(c.f), "interp = f", ""}; }},
        {"ntkalibi", [](const Ctx& c) { return Rule{"ntkalibi:a=" + c.n(c.f), "a = f", ""}; }},
        {"logn", [](const Ctx& c) { return Rule{"logn:L=" + c.n(c.L0), "L = train", ""}; }},
        {"logn_len", [](const Ctx& c) { return Rule{"logn_len:L=" + c.n(c.L0), "L = train", ""}; }},
        {"qwenlogn", [](const Ctx& c) { return Rule{"qwenlogn:L=" + c.n(c.L0), "L = train", ""}; }},
        {"rerope",
         [](const Ctx& c) {
             return Rule{"rerope:w=" + c.n(c.quarter()) + ",logn=1,L=" + c.n(c.L0), "w = train/4", ""};
         }},
        {"leakyrerope",
         [](const Ctx& c) {
             const int w = c.quarter();
             const double k = (c.f * c.L0 - w) / double(c.L0 - w);  // distance f·L0 maps to L0
             return Rule{"leakyrerope:w=" + c.n(w) + ",k=" + c.n(k) + ",logn=1,L=" + c.n(c.L0),
                         "w = train/4, k maps f x train to train", ""};
         }},
        {"selfextend",
         [](const Ctx& c) {
             const int W = c.quarter();
             const int G = std::max(1, int(std::ceil((c.f * c.L0 - W) / double(c.L0 - W) - 1e-9)));
             return Rule{"selfextend:G=" + std::to_string(G) + ",W=" + std::to_string(W) + ",conv=code",
                         "W = train/4, smallest G with (train - W)G + W >= f x train", ""};
         }},
        {"xpos", [](const Ctx&) {
             return Rule{"xpos:scale_base=512,centre=torchscale", "torchscale defaults (a training-time decay: not 1x-neutral)", ""};
         }},
        {"window", [](const Ctx& c) { return Rule{"window:w=" + c.n(c.L0), "w = train", ""}; }},
        {"sinks",
         [](const Ctx& c) {
             return Rule{"sinks:start=4,recent=" + c.n(c.L0 - 5), "4 sinks + train - 5 recent keys", ""};
         }},
        {"lminfinite",
         [](const Ctx& c) {
             return Rule{"lminfinite:local=" + c.n(c.L0) + ",global=10,limit=" + c.n(c.L0), "local = train", ""};
         }},
    };
    return r;
}

}  // namespace

int catalogue_length(const ModelConfig& config, double factor) {
    return int(std::lround(factor * config.train_context_length));
}

std::vector<CatalogueEntry> method_catalogue(const ModelConfig& config, double factor) {
    if (!(factor >= 1) || !std::isfinite(factor))
        throw Error(ErrorKind::BadArgument, "factor " + format_number(factor), "must be a number >= 1");
    if (config.train_context_length < 8)
        throw Error(ErrorKind::BadArgument, config.name,
                    "training length " + std::to_string(config.train_context_length) + " is too short for the catalogue");
    const Ctx c{config, factor, config.train_context_length};
    std::vector<CatalogueEntry> out;
    for (const MethodInfo& m : method_registry().methods()) {
        if (!applies(m, config.position)) continue;
        CatalogueEntry e;
        e.label = m.name;
        auto it = rules().find(m.name);
        const Rule r = it != rules().end() ? it->second(c) : Rule{m.name, "registry defaults (no rule for the factor)", ""};
        e.note = r.note;
        e.skipped = r.skipped;
        if (e.skipped.empty()) {
            e.method = parse_method_spec(r.spec);
            e.spec = e.method.canonical();
        }
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace xl
