// The method catalogue at a length factor: every registered position method that applies to a
// model, each configured for evaluation at f × the training length (`extrapolab table`).
//
//   for (const CatalogueEntry& e : method_catalogue(model.config, 4.0))
//       if (e.skipped.empty()) make_plan(e.method, model.config, 4 * train);  // e.spec is printable
//
// Rules per method (L0 = training length, b = RoPE base; position-methods.md section in brackets):
//   linear s=f [§2], ntk a=f and ntkmixed k=f [§3], yarn / ntkparts / yarn_deepseek s=f [§5, §6],
//   llama3 s=f [§9]; dynamic methods (dynntk s=1, dynyarn s=1, dynpi, qwenntk) follow the current
//   length by themselves [§4, §6.5, §7]; longrope [§8] gets the YaRN per-pair divisors at s=f as its
//   "long" factors (LongRoPE's search starts from them; no search here) and ones as "short";
//   abf [§3] the base for which the critical dimension's period reaches f·L0 ("Scaling Laws of
//   RoPE-based Extrapolation"): b' = b^(ln(f·L0/2π) / ln(L0/2π)); rerope / leakyrerope [§10] window
//   L0/4, leaky slope k so that distance f·L0 maps to L0; selfextend [§11] W = L0/4 and the
//   smallest group size G with (L0 − W)·G + W ≥ f·L0; window / sinks / lminfinite [§15, §16] the
//   training length; logn variants [§12] L = L0; alibi interp=f, ntkalibi a=f [§13]; xpos [§14]
//   (when registered) the torchscale defaults.
// At f = 1 every method reduces to the model's own positions except nope, rerope (it caps
// distances at its window) and xpos (its decay is part of the method, not of the length).
// A method registered without a rule here gets its registry defaults (and says so in `note`).
#pragma once
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/method.hpp"

namespace xl {

struct CatalogueEntry {
    std::string label;    // row label: the registry name, e.g. "yarn"
    std::string spec;     // full spec text at this factor (parses to `method`); "" when skipped
    MethodSpec method;    // parse_method_spec(spec)
    std::string note;     // how the parameters follow the factor, one line
    std::string skipped;  // non-empty: why this applicable method has no configuration
};

// Entries in registry order; methods that do not apply to the model's position signal are left
// out. Error(BadArgument) naming the factor when factor < 1 or the model has no training length.
std::vector<CatalogueEntry> method_catalogue(const ModelConfig& config, double factor);

// Length evaluated at a factor: round(factor · train_context_length).
int catalogue_length(const ModelConfig& config, double factor);

}  // namespace xl
