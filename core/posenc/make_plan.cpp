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

// `layers=global|local|all|<kind>`: which layer kinds a method applies to. A generic key of any
// component (not of one method), taken out of the spec before the components are checked.
std::string take_layers_key(MethodSpec& spec) {
    std::string value;
    auto take = [&](MethodSpec& s) {
        auto it = s.params.find("layers");
        if (it == s.params.end()) return;
        if (!value.empty() && value != it->second)
            throw Error(ErrorKind::BadArgument, spec.canonical(), "two different values of 'layers'");
        value = it->second;
        s.params.erase(it);
    };
    take(spec);
    for (MethodSpec& e : spec.extra) take(e);
    return value;
}

void check_layers_key(const std::string& layers, const std::vector<LayerKind>& kinds, const std::string& whole) {
    if (layers.empty() || layers == "all") return;
    std::string names = "all";
    for (const LayerKind& k : kinds) {
        if (k.name == layers) return;
        append_item(names, ", ", k.name);
    }
    throw Error(ErrorKind::BadArgument, whole,
                "layers=" + layers + ": the model has no layer kind of that name; valid values: " + names);
}

// Hugging Face applies rope_scaling to full-attention layers: "global" when the model has it.
std::string default_layers(const std::vector<LayerKind>& kinds) {
    for (const LayerKind& k : kinds)
        if (k.name == "global") return "global";
    return "all";
}

// The model as one layer kind sees it: its signal, RoPE base and no window of its own (the
// kind's window is applied to the plan's mask afterwards).
ModelConfig kind_config(const ModelConfig& config, const LayerKind& kind) {
    ModelConfig c = config;
    c.layer_kinds.clear();
    c.layer_kind.clear();
    c.position = kind.position;
    c.rope_base = kind.rope_base;
    c.sliding_window = 0;
    return c;
}

// A kind's sliding window narrows the plan's mask (a method's own window may be narrower).
void apply_kind_window(PositionPlan& plan, int window) {
    if (window <= 0) return;
    plan.window = plan.window > 0 ? std::min(plan.window, window) : window;
}

// The resolved text with `layers=` in its first component (omitted for a bare "none").
std::string with_layers_key(const std::string& text, const MethodSpec& spec, const std::string& layers) {
    if (spec.name == "none" && spec.extra.empty()) return text;
    const size_t plus = text.find('+');
    std::string first = text.substr(0, plus), tail = plus == std::string::npos ? "" : text.substr(plus);
    first += (first.find(':') == std::string::npos ? ":" : ",") + std::string("layers=") + layers;
    return first + tail;
}

// The plan of one layer kind (or of a single-kind model): every component in stage order.
PositionPlan single_plan(const MethodSpec& spec, const ModelConfig& config, int seq_len) {
    PlanContext ctx(config, seq_len);
    std::string method;
    run(spec, ctx, method);
    PositionPlan plan = std::move(ctx.plan);
    plan.method = method;
    plan.convention = join(ctx.conventions, ",");
    plan.inv_freq.assign(ctx.inv_freq.begin(), ctx.inv_freq.end());
    plan.rope_dim = plan.inv_freq.empty() ? 0 : ctx.rope_dim;
    plan.mscale = float(ctx.mscale);
    // Base query scale: the model's own (Gemma 3: 1/√query_pre_attn_scalar), else 1/√head_dim.
    const double base_scale = config.attention_scale > 0 ? double(config.attention_scale)
                              : ctx.head_dim > 0      ? 1.0 / std::sqrt(double(ctx.head_dim))
                                                      : 1.0;
    plan.query_scale.resize(seq_len);
    for (int i = 0; i < seq_len; ++i) plan.query_scale[i] = float(base_scale * ctx.qfactor[i]);
    return plan;
}

}  // namespace

PositionPlan make_plan(const MethodSpec& spec, const ModelConfig& config, int seq_len) {
    if (seq_len < 1)
        throw Error(ErrorKind::BadArgument, spec.canonical(), "sequence length must be >= 1");
    MethodSpec rest = spec;
    const std::string layers = take_layers_key(rest);
    const std::vector<LayerKind> kinds = layer_kinds_of(config);
    check_layers_key(layers, kinds, spec.canonical());
    if (config.layer_kinds.empty()) {  // one kind: the model-wide settings, exactly as before
        PositionPlan plan = single_plan(rest, config, seq_len);
        apply_kind_window(plan, kinds[0].window);
        return plan;
    }
    const std::string chosen = layers.empty() ? default_layers(kinds) : layers;
    PositionPlan out;
    std::vector<PositionPlan> per_kind;
    int primary = -1;
    for (size_t k = 0; k < kinds.size(); ++k) {
        const bool applies = chosen == "all" || kinds[k].name == chosen;
        if (applies && primary < 0) primary = int(k);
        PositionPlan p = single_plan(applies ? rest : parse_method_spec("none"), kind_config(config, kinds[k]), seq_len);
        apply_kind_window(p, kinds[k].window);
        p.notes.insert(p.notes.begin(), "layer kind '" + kinds[k].name + "': " + (applies ? p.method : "none"));
        per_kind.push_back(std::move(p));
    }
    out = per_kind[size_t(primary)];
    out.per_kind = std::move(per_kind);
    out.primary_kind = primary;
    out.method = with_layers_key(out.method, rest, chosen);
    return out;
}

const PositionPlan& plan_for_layer(const PositionPlan& plan, const ModelConfig& config, int layer) {
    if (plan.per_kind.empty()) return plan;
    const int k = layer_kind_index(config, layer);
    if (k < 0 || size_t(k) >= plan.per_kind.size())
        throw Error(ErrorKind::BadArgument, plan.method,
                    "layer " + std::to_string(layer) + " has kind " + std::to_string(k) + " but the plan holds " +
                        std::to_string(plan.per_kind.size()) + " kinds");
    return plan.per_kind[size_t(k)];
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
    MethodSpec rest = spec;
    take_layers_key(rest);  // one table describes one layer kind: the caller picks its base
    run(rest, ctx, method);
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
