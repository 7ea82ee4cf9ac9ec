// make_plan / rope_table / list_methods: compiles a parsed method spec into a PositionPlan by
// running its components in stage order (Base, Signal, Modifier) over a PlanContext.
#include <algorithm>
#include <cmath>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/method_registry.hpp"
#include "core/posenc/plan_context.hpp"
#include "core/posenc/rope_math.hpp"

namespace xl {
namespace {

struct Component {
    const MethodInfo* info;
    MethodSpec spec;  // without `extra`
};

const char* signal_name(PositionSignal p) {
    switch (p) {
        case PositionSignal::RoPE: return "RoPE";
        case PositionSignal::ALiBi: return "ALiBi";
        case PositionSignal::None: return "no position signal";
    }
    return "?";
}

std::string applicable_names(PositionSignal p) {
    std::string out;
    for (const MethodInfo& m : method_registry().methods()) {
        const bool ok = m.applies == MethodApplies::Any ||
                        (m.applies == MethodApplies::RoPE && p == PositionSignal::RoPE) ||
                        (m.applies == MethodApplies::ALiBi && p == PositionSignal::ALiBi);
        if (ok) append_item(out, ", ", m.name);
    }
    return out;
}

void check_applies(const MethodInfo& m, const ModelConfig& config, const std::string& whole) {
    const PositionSignal p = config.position;
    if (m.applies == MethodApplies::RoPE && p != PositionSignal::RoPE)
        throw Error(ErrorKind::BadArgument, whole,
                    "method '" + m.name + "' needs a RoPE model, but model '" + config.name + "' uses " +
                        signal_name(p) + "; methods for this model: " + applicable_names(p));
    if (m.applies == MethodApplies::ALiBi && p != PositionSignal::ALiBi)
        throw Error(ErrorKind::BadArgument, whole,
                    "method '" + m.name + "' needs an ALiBi model, but model '" + config.name + "' uses " +
                        signal_name(p) + "; methods for this model: " + applicable_names(p));
}

std::vector<Component> components(const MethodSpec& spec, const ModelConfig& config) {
    const std::string whole = spec.canonical();
    std::vector<Component> out;
    auto add = [&](const MethodSpec& s) {
        const MethodInfo* info = find_method(s.name);
        if (!info)
            throw Error(ErrorKind::BadArgument, whole,
                        "unknown method '" + s.name + "'; valid methods: " + method_names_text());
        for (const auto& [k, v] : s.params)
            if (!info->key(k))
                throw Error(ErrorKind::BadArgument, whole,
                            info->name + ": unknown key '" + k + "'; valid keys: " + method_keys_text(*info));
        check_applies(*info, config, whole);
        MethodSpec one = s;
        one.extra.clear();
        out.push_back({info, one});
    };
    add(spec);
    for (const MethodSpec& e : spec.extra) add(e);
    std::stable_sort(out.begin(), out.end(),
                     [](const Component& a, const Component& b) { return a.info->stage < b.info->stage; });
    int signals = 0;
    std::string first_signal;
    for (const Component& c : out) {
        if (c.info->stage != MethodStage::Signal) continue;
        if (++signals > 1)
            throw Error(ErrorKind::BadArgument, whole,
                        "'" + first_signal + "' and '" + c.info->name +
                            "' both define the position signal; combine one of them with modifiers only");
        first_signal = c.info->name;
    }
    if (signals == 0) {  // implicit "none": the model's own signal
        auto it = std::find_if(out.begin(), out.end(),
                               [](const Component& c) { return c.info->stage != MethodStage::Base; });
        out.insert(it, Component{find_method("none"), parse_method_spec("none")});
    }
    return out;
}

void run(const MethodSpec& spec, PlanContext& ctx, std::string& method_text) {
    for (const Component& c : components(spec, ctx.config)) {
        MethodArgs args(c.spec, *c.info);
        c.info->build(args, ctx);
        const std::string r = args.resolved();
        // The implicit "none" is not part of the user's spec text.
        const bool implicit = c.info->name == "none" && spec.name != "none" &&
                              std::none_of(spec.extra.begin(), spec.extra.end(),
                                           [](const MethodSpec& e) { return e.name == "none"; });
        if (!implicit) append_item(method_text, "+", r);
    }
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) append_item(out, sep, s);
    return out;
}

}  // namespace

PositionPlan make_plan(const MethodSpec& spec, const ModelConfig& config, int seq_len) {
    if (seq_len < 1)
        throw Error(ErrorKind::BadArgument, spec.canonical(), "sequence length must be >= 1");
    PlanContext ctx(config, seq_len);
    std::string method;
    run(spec, ctx, method);
    PositionPlan plan = std::move(ctx.plan);
    plan.method = method;
    plan.convention = join(ctx.conventions, ",");
    plan.inv_freq.assign(ctx.inv_freq.begin(), ctx.inv_freq.end());
    plan.rope_dim = plan.inv_freq.empty() ? 0 : ctx.rope_dim;
    plan.mscale = float(ctx.mscale);
    const double base_scale = ctx.head_dim > 0 ? 1.0 / std::sqrt(double(ctx.head_dim)) : 1.0;
    plan.query_scale.resize(seq_len);
    for (int i = 0; i < seq_len; ++i) plan.query_scale[i] = float(base_scale * ctx.qfactor[i]);
    return plan;
}

RopeTable rope_table(const MethodSpec& spec, int head_dim, double base, int train_context, int seq_len) {
    if (head_dim < 4 || head_dim % 2)
        throw Error(ErrorKind::BadArgument, spec.canonical(), "head dim must be even and >= 4");
    if (!(base > 1)) throw Error(ErrorKind::BadArgument, spec.canonical(), "RoPE base must be > 1");
    ModelConfig config;
    config.name = "rope table";
    config.dim = head_dim;
    config.n_heads = 1;
    config.n_kv_heads = 1;
    config.head_dim = head_dim;
    config.rope_dim = head_dim;
    config.rope_base = float(base);
    config.train_context_length = config.file_context_length = train_context;
    const int n = seq_len > 0 ? seq_len : std::max(train_context, 1);
    PlanContext ctx(config, n);
    ctx.model_base = ctx.base = base;  // keep the double value (the config stores float)
    std::string method;
    run(spec, ctx, method);
    RopeTable t;
    t.inv_freq_original = ctx.theta_original();
    t.inv_freq = ctx.inv_freq;  // empty signal (nope): zero frequencies, infinite wavelengths
    t.inv_freq.resize(t.inv_freq_original.size(), 0.0);
    for (double f : t.inv_freq) t.wavelength.push_back(rope::wavelength(f));
    t.ramp = ctx.ramp;
    t.attention_factor = ctx.attention_factor;
    t.convention = join(ctx.conventions, ",");
    t.ramp_low = ctx.ramp_low;
    t.ramp_high = ctx.ramp_high;
    t.xpos_zeta.assign(ctx.plan.xpos.zeta.begin(), ctx.plan.xpos.zeta.end());
    if (!t.xpos_zeta.empty()) t.xpos_scale_base = ctx.plan.xpos.scale_base;
    t.method = method;
    return t;
}

std::vector<std::pair<std::string, std::string>> list_methods() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const MethodInfo& m : method_registry().methods())
        out.emplace_back(m.name, m.description + " (" + m.section + ")");
    return out;
}

}  // namespace xl
