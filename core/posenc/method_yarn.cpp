// yarn: YaRN frequencies and attention factor (ref §6).
//   corr range (§6.1): low = floor(corr_dim(β_fast)), high = ceil(corr_dim(β_slow)) on the original
//   context `orig`; interpolation weight w_j linear in the pair index; θ'_j = θ_j·[w_j/s + (1−w_j)]
//   (the extrapolation part times ext_factor). Attention factor (§6.3) 0.1 ln s + 1.
// Conventions where implementations differ (§19 rows 1, 2, 3, 6, 7):
//   conv=hf        factor on cos and sin (plan.mscale); `attention_factor` used verbatim if given,
//                  else get_mscale(s,mscale)/get_mscale(s,mscale_all_dim) if both given, else
//                  get_mscale(s); `truncate=0` keeps fractional low/high (gpt-oss).
//   conv=llamacpp  factor attn_factor·(1 + 0.1 ln s) on cos and sin only if ext_factor ≠ 0;
//                  always floor/ceil (the ggml op has no truncate parameter).
//   conv=hf-a      HF ≤ v4.46: correction range on max_pos (max_position_embeddings), not orig;
//   conv=hf-b      HF v4.5x: s := max_pos/orig whenever orig is given (explicit s ignored; #38224);
//   conv=paper     the paper's ramp, linear in r = L/λ (§5, eq. 17-20, α = beta_slow,
//                  β = beta_fast), and the factor as a softmax temperature on all logits
//                  (eq. 21-22: query scale × factor², plan.mscale = 1).
// The model's rope_freqs factors divide θ before interpolation (GGML theta/ff).
#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"
#include "core/posenc/yarn_frequencies.hpp"

namespace xl {
namespace {

double yarn_factor(const MethodArgs& a, double s, const std::string& conv, double ext_factor) {
    const double m = a.num("mscale"), m_all = a.num("mscale_all_dim");
    const double attn = a.num("attn_factor");
    double f = rope::yarn_get_mscale(s);
    if (m != 0 && m_all != 0) f = rope::yarn_get_mscale(s, m) / rope::yarn_get_mscale(s, m_all);
    if (conv == "llamacpp") {
        if (a.given("attention_factor"))
            a.fail("'attention_factor' is the HF key; with conv=llamacpp use 'attn_factor'");
        return ext_factor != 0 ? attn * f : attn;
    }
    const double explicit_factor = a.num("attention_factor");
    if (explicit_factor > 0) f = explicit_factor;
    return attn * f;
}

// Older HF generations (§0, §6.2, §19 #4, #5): HF-A computes the correction range on
// max_position_embeddings; HF-B replaces s by max_pos/orig whenever orig is given. Neither has
// `truncate`; HF-A has no mscale keys.
void check_old_hf(const MethodArgs& a, const std::string& conv) {
    if (conv != "hf-a" && conv != "hf-b") return;
    if (a.given("truncate")) a.fail("'truncate' exists only from the HF-C generation on (conv=hf)");
    if (conv == "hf-a" && (a.given("mscale") || a.given("mscale_all_dim")))
        a.fail("'mscale'/'mscale_all_dim' arrived with HF-B (conv=hf-b or hf)");
}

void build_yarn(const MethodArgs& a, PlanContext& c) {
    const std::string conv = a.choice("conv");
    double s = a.positive("s");
    const double orig = a.positive("orig", c.train_ctx);
    const double bf = a.num("beta_fast"), bs = a.num("beta_slow");
    const double ext = a.num("ext_factor");
    const bool truncate = a.num("truncate") != 0;
    check_old_hf(a, conv);
    if (conv == "llamacpp" && !truncate)
        a.fail("llama.cpp always rounds the correction range (truncate=0 is HF-only)");
    if (conv == "paper" && !(bf > bs)) a.fail("the paper's ramp needs beta_fast > beta_slow");
    double corr_ctx = orig;
    if (conv == "hf-a") corr_ctx = a.positive("max_pos", c.config.file_context_length);
    if (conv == "hf-b" && a.given("orig")) {
        s = a.positive("max_pos", c.config.file_context_length) / orig;
        c.note("yarn hf-b: s = max_pos/orig = " + format_number(s) + " (the explicit s is ignored)");
    }
    const auto range = apply_yarn_frequencies(
        c, {s, corr_ctx, bf, bs, truncate, ext, /*paper_ramp=*/conv == "paper"});
    const double f = yarn_factor(a, s, conv, ext);
    c.attention_factor = f;
    if (conv == "paper") {
        c.mscale = 1;
        c.scale_queries(f * f);
    } else {
        c.mscale = f;
    }
    c.conventions.push_back(conv == "llamacpp" ? "llama.cpp" : conv);
    c.note("yarn: correction range " + format_number(range.low) + " .. " + format_number(range.high) +
           ", attention factor " + format_number(f));
}

}  // namespace

void register_yarn(MethodRegistry& r) {
    r.add({"yarn", "YaRN: NTK-by-parts frequencies + attention factor 0.1 ln s + 1", "§6",
           MethodStage::Signal, MethodApplies::RoPE,
           {{"s", KeyKind::Number, "4", "scale factor", {}},
            {"orig", KeyKind::Number, "", "model's training context (original context, tokens)", {}},
            {"beta_fast", KeyKind::Number, "32", "rotations in orig above which a pair is kept", {}},
            {"beta_slow", KeyKind::Number, "1", "rotations in orig below which a pair is divided by s", {}},
            {"attn_factor", KeyKind::Number, "1", "multiplier on the attention factor (YaRN repo, ggml)", {}, true},
            {"attention_factor", KeyKind::Number, "0", "HF explicit attention factor (0 = computed)", {}, true},
            {"mscale", KeyKind::Number, "0", "HF/DeepSeek mscale (with mscale_all_dim; 0 = unset)", {}, true},
            {"mscale_all_dim", KeyKind::Number, "0", "HF/DeepSeek mscale_all_dim (0 = unset)", {}, true},
            {"truncate", KeyKind::Number, "1", "1 = floor/ceil the correction range, 0 = fractional (HF)", {}, true},
            {"ext_factor", KeyKind::Number, "1", "extrapolation mix factor (ggml ext_factor)", {}, true},
            {"max_pos", KeyKind::Number, "", "model's context length (max_position_embeddings; hf-a, hf-b)", {}},
            {"conv", KeyKind::Choice, "hf", "convention: hf (HF-C), hf-a, hf-b, llamacpp, paper",
             {"hf", "hf-a", "hf-b", "llamacpp", "paper"}}},
           build_yarn, {}});
}

}  // namespace xl
