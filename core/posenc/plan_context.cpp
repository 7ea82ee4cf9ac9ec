// PlanContext: model-derived defaults and the shared helpers of the method builders.
#include "core/posenc/plan_context.hpp"

#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {

PlanContext::PlanContext(const ModelConfig& cfg, int seq_len) : config(cfg), n(seq_len) {
    head_dim = cfg.head_dim > 0 ? cfg.head_dim : (cfg.n_heads > 0 ? cfg.dim / cfg.n_heads : 0);
    rope_model = cfg.position == PositionSignal::RoPE;
    rope_dim = rope_model ? (cfg.rope_dim > 0 ? cfg.rope_dim : head_dim) : 0;
    train_ctx = cfg.train_context_length > 0 ? cfg.train_context_length : cfg.file_context_length;
    model_base = base = cfg.rope_base;
    if (rope_model && !cfg.rope_freq_factors.empty()) {
        if (int(cfg.rope_freq_factors.size()) != pairs())
            throw Error(ErrorKind::Mismatch, cfg.name,
                        "rope_freqs has " + std::to_string(cfg.rope_freq_factors.size()) +
                            " factors but the rotary dimension has " + std::to_string(pairs()) +
                            " pairs");
        freq_factors.assign(cfg.rope_freq_factors.begin(), cfg.rope_freq_factors.end());
    }
    ramp.assign(pairs(), 0.0);
    qfactor.assign(n, 1.0);
    plan.seq_len = n;
    plan.n_heads = cfg.n_heads;
    plan.layout = cfg.rope_layout;
    plan.rope_dim = rope_dim;
    plan.near.q_pos.resize(n);
    std::iota(plan.near.q_pos.begin(), plan.near.q_pos.end(), 0.f);
    plan.near.k_pos = plan.near.q_pos;
}

std::vector<double> PlanContext::theta(double b, bool raw) const {
    if (b <= 0) b = base;
    std::vector<double> t(pairs());
    for (int j = 0; j < pairs(); ++j) {
        t[j] = rope::theta(j, rope_dim, b);
        if (!raw && !freq_factors.empty()) t[j] /= freq_factors[j];  // GGML: theta/ff (§6.1)
    }
    return t;
}

std::vector<double> PlanContext::theta_original() const { return theta(model_base); }

void PlanContext::scale_queries(double f) {
    for (double& q : qfactor) q *= f;
}

void PlanContext::scale_queries(const std::vector<double>& f) {
    for (size_t i = 0; i < qfactor.size() && i < f.size(); ++i) qfactor[i] *= f[i];
}

void PlanContext::claim_far(const MethodArgs& by) {
    if (!far_by_.empty())
        by.fail("'" + by.info().name + "' and '" + far_by_ +
                "' both remap far positions; combine at most one of them");
    far_by_ = by.info().name;
    plan.far.enabled = true;
}

void PlanContext::claim_mask(const MethodArgs& by) {
    if (!mask_by_.empty())
        by.fail("'" + by.info().name + "' and '" + mask_by_ +
                "' both set the attention window; combine at most one of them");
    mask_by_ = by.info().name;
}

double PlanContext::model_max_bias() const {
    return config.alibi_max_bias > 0 ? config.alibi_max_bias : 8.0;
}

std::vector<double> PlanContext::model_alibi_slopes() const {
    if (!config.alibi_slopes.empty())
        return std::vector<double>(config.alibi_slopes.begin(), config.alibi_slopes.end());
    return rope::alibi_slopes(config.n_heads, model_max_bias());
}

}  // namespace xl
