// PlanContext: the working state while a method spec is compiled into a PositionPlan. The plan
// builder (make_plan.cpp) fills the model-derived fields, runs the components of the spec in
// stage order (Base, Signal, Modifier), then turns the context into the plan and the rope table.
//
//   void build_linear(const MethodArgs& a, PlanContext& c) {
//       double s = a.positive("s");
//       c.inv_freq = c.theta();  for (auto& t : c.inv_freq) t /= s;
//   }
#pragma once
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

class MethodArgs;

struct PlanContext {
    const ModelConfig& config;
    int n = 0;                 // sequence length the plan is built for
    int head_dim = 0;
    int rope_dim = 0;          // rotated dims per head (0 for ALiBi / NoPE models)
    int train_ctx = 0;         // model's training context (train_context_length, else file's)
    bool rope_model = false;   // config.position == RoPE
    double model_base = 10000; // config.rope_base
    double base = 10000;       // current base (Base-stage methods change it)
    std::vector<double> freq_factors;  // divisors of θ_j (GGUF rope_freqs); empty = none

    // Outputs of the Signal stage (RoPE).
    std::vector<double> inv_freq;      // θ'_j
    std::vector<double> ramp;          // interpolation weight per pair (rope table), 0 where n/a
    double ramp_low = 0, ramp_high = 0;
    double mscale = 1;                 // on cos and sin
    double attention_factor = 1;       // what the rope table reports (= mscale unless applied elsewhere)

    std::vector<double> qfactor;       // per-query multipliers (log-n, temperatures), without 1/√d
    PositionPlan plan;                 // positions, slopes, window/sinks, far branch, notes
    std::vector<std::string> conventions;

    PlanContext(const ModelConfig& cfg, int seq_len);

    int pairs() const { return rope_dim / 2; }
    // θ_j = b^(-2j/d) at `b` (default: current base), divided by freq_factors unless `raw`.
    std::vector<double> theta(double b = 0, bool raw = false) const;
    // Plain-RoPE θ_j at the model's base, with the model's factors (the rope table's original).
    std::vector<double> theta_original() const;

    // Multiply every query's logit factor by f (softmax temperature), or query i by f[i].
    void scale_queries(double f);
    void scale_queries(const std::vector<double>& f);
    // Claim the far branch / the window mask; a second claimant is an error naming both.
    void claim_far(const MethodArgs& by);
    void claim_mask(const MethodArgs& by);
    // ALiBi slopes of the model: explicit ModelConfig::alibi_slopes, else the §13 rule from
    // n_heads and max_bias (config value, else 8).
    std::vector<double> model_alibi_slopes() const;
    double model_max_bias() const;
    void note(const std::string& text) { plan.notes.push_back(text); }

private:
    std::string far_by_, mask_by_;
};

}  // namespace xl
