// RoPE settings and layer kinds of a config.json (see hf_positions.hpp). Sources: transformers'
// modeling_rope_utils.py (through core/posenc/hf_rope_config), Gemma3TextConfig (layer_types
// from sliding_window_pattern: layer i is full attention when (i + 1) % pattern == 0, pattern 6
// by default; rope_local_base_freq for sliding layers), Qwen2Config (sliding layers from
// max_window_layers on when use_sliding_window), Mistral / Phi-3 (one window for every layer).
#include "core/model/hf_positions.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method_args.hpp"
#include "core/util/checked_math.hpp"

namespace xl {
namespace {

using json = nlohmann::json;

bool has(const json& c, const char* k) { return c.contains(k) && !c.at(k).is_null(); }

double number(const json& c, const char* k, const std::string& path) {
    if (!c.at(k).is_number()) throw Error(ErrorKind::BadFile, path, "'" + std::string(k) + "' must be a number");
    return c.at(k).get<double>();
}

// A whole-number setting in [lo, hi] (double -> int is undefined outside int's range).
int whole_number(const json& c, const char* k, int lo, int hi, const std::string& path) {
    int out = 0;
    if (!whole_int(number(c, k, path), lo, hi, out))
        throw Error(ErrorKind::BadFile, path, "'" + std::string(k) + "' must be a whole number from " + std::to_string(lo) +
                                                  " to " + std::to_string(hi));
    return out;
}

// The rope_parameters object of one attention type (transformers 5), or null.
const json* per_type_parameters(const json& cfg, const char* type) {
    if (!has(cfg, "rope_parameters") || !cfg["rope_parameters"].is_object()) return nullptr;
    const json& p = cfg["rope_parameters"];
    return p.contains(type) && p[type].is_object() ? &p[type] : nullptr;
}

// The scaling object the import reads (for the LongRoPE factor lists).
const json* scaling_object(const json& cfg) {
    if (const json* full = per_type_parameters(cfg, "full_attention")) return full;
    if (has(cfg, "rope_parameters") && cfg["rope_parameters"].is_object()) return &cfg["rope_parameters"];
    if (has(cfg, "rope_scaling") && cfg["rope_scaling"].is_object()) return &cfg["rope_scaling"];
    return nullptr;
}

std::vector<float> float_list(const json* s, const char* key) {
    std::vector<float> out;
    if (!s || !s->contains(key) || !(*s)[key].is_array()) return out;
    for (const json& v : (*s)[key])
        if (v.is_number()) out.push_back(v.get<float>());
    return out;
}

// "abf:base=X+yarn:..." → "yarn:..."; "abf:base=X" → "" (the base is the model's own).
std::string scaling_part(const std::string& spec) {
    if (spec == "none") return "";
    if (spec.rfind("abf:", 0) != 0) return spec;
    const size_t plus = spec.find('+');
    return plus == std::string::npos ? "" : spec.substr(plus + 1);
}

}  // namespace

void read_hf_rope(const json& cfg, const std::string& path, const HfArchitecture& a, ModelConfig& c) {
    HfRopeImport r = import_hf_rope_config(cfg, HfGeneration::C, path);
    c.position = PositionSignal::RoPE;
    c.rope_layout = RopeLayout::NeoX;  // rotate_half: pairs (j, j + d/2)
    if (r.rope_theta > 0) {
        c.rope_base = float(r.rope_theta);
    } else {
        c.rope_base = float(a.default_theta);
        c.warnings.push_back("rope_theta missing: using the " + std::string(a.name) + " default " +
                             format_number(a.default_theta));
    }
    c.rope_dim = (int(double(c.head_dim) * r.partial_rotary_factor) / 2) * 2;
    if (c.rope_dim <= 0) throw Error(ErrorKind::BadFile, path, "partial_rotary_factor leaves no rotated dimensions");
    FileRopeScaling& s = c.rope_scaling;
    s.type = r.rope_type == "default" ? "" : r.rope_type;
    s.factor = float(r.factor);
    s.original_context = r.original_context;
    s.method = scaling_part(r.spec);
    if (r.rope_type == "longrope") {
        const json* obj = scaling_object(cfg);
        c.rope_factors_long = float_list(obj, "long_factor");
        c.rope_factors_short = float_list(obj, "short_factor");
    }
    for (const std::string& w : r.warnings) c.warnings.push_back(w);
    std::string notes;
    for (const std::string& n : r.notes) append_item(notes, "; ", n);
    c.metadata["hf.rope_import"] = r.layout + (s.method.empty() ? ", no scaling" : ", file method " + s.method) +
                                   (notes.empty() ? "" : " (" + notes + ")");
    const json* local = per_type_parameters(cfg, "sliding_attention");
    if (local && local->contains("rope_type") && (*local)["rope_type"] != "default")
        c.warnings.push_back("rope_parameters.sliding_attention has rope_type " + (*local)["rope_type"].dump() +
                             ": not applied (the file method follows full_attention)");
}

namespace {

// Per layer: true = sliding-window attention. Empty when the config has no per-layer rule.
std::vector<bool> sliding_layers(const json& cfg, const std::string& path, const HfArchitecture& a, const ModelConfig& c) {
    std::vector<bool> out;
    if (has(cfg, "layer_types")) {
        const json& t = cfg["layer_types"];
        if (!t.is_array() || int(t.size()) != c.n_layers)
            throw Error(ErrorKind::BadFile, path, "'layer_types' must list one type for each of the " +
                                                      std::to_string(c.n_layers) + " layers");
        for (const json& v : t) {
            const std::string s = v.is_string() ? v.get<std::string>().substr(0, 80) : json_excerpt(v);
            if (s != "full_attention" && s != "sliding_attention")
                throw Error(ErrorKind::Unsupported, path, "layer type '" + s +
                                                              "' is not supported (supported: full_attention, sliding_attention)");
            out.push_back(s == "sliding_attention");
        }
        return out;
    }
    if (a.local_global) {
        const int pattern = has(cfg, "sliding_window_pattern") ? whole_number(cfg, "sliding_window_pattern", 1, kIntMax, path) : 6;
        for (int i = 0; i < c.n_layers; ++i) out.push_back((i + 1) % pattern != 0);
        return out;
    }
    if (has(cfg, "use_sliding_window") && cfg["use_sliding_window"].is_boolean() && cfg["use_sliding_window"].get<bool>()) {
        const int from = has(cfg, "max_window_layers") ? whole_number(cfg, "max_window_layers", 0, kIntMax, path) : 0;
        for (int i = 0; i < c.n_layers; ++i) out.push_back(i >= from);
    }
    return out;
}

int window_of(const json& cfg, const std::string& path, const HfArchitecture& a, ModelConfig& c) {
    if (has(cfg, "sliding_window")) {
        const double w = number(cfg, "sliding_window", path);
        if (!(w >= 1 && w <= double(1 << 30))) throw Error(ErrorKind::BadFile, path, "'sliding_window' is not a plausible size");
        return int(w);
    }
    if (!a.local_global) throw Error(ErrorKind::BadFile, path, "sliding-attention layers but no 'sliding_window'");
    c.warnings.push_back("sliding_window missing: using the gemma3 default 4096");
    return 4096;
}

}  // namespace

void read_hf_layer_kinds(const json& cfg, const std::string& path, const HfArchitecture& a, ModelConfig& c) {
    const std::vector<bool> sliding = sliding_layers(cfg, path, a, c);
    bool any = false;
    for (bool s : sliding) any = any || s;
    if (!any) {
        // One kind for every layer; Mistral and Phi-3 keep a model-wide window when set.
        const bool plain = has(cfg, "use_sliding_window") && cfg["use_sliding_window"].is_boolean() &&
                           !cfg["use_sliding_window"].get<bool>();
        if (!plain && has(cfg, "sliding_window") && !a.local_global) c.sliding_window = window_of(cfg, path, a, c);
        return;
    }
    LayerKind global;
    global.name = "global";
    global.rope_base = c.rope_base;
    LayerKind local;
    local.name = "local";
    local.window = window_of(cfg, path, a, c);
    local.rope_base = c.rope_base;
    if (a.local_global) {
        const json* p = per_type_parameters(cfg, "sliding_attention");
        auto base = [&](const json& o, const char* k) {  // a RoPE base: finite and > 0 as a float
            const double b = number(o, k, path);
            if (!(b > 0 && b <= 3.0e38))
                throw Error(ErrorKind::BadFile, path, "'" + std::string(k) + "' must be a positive RoPE base, got " + json_excerpt(o.at(k)));
            return float(b);
        };
        if (p && has(*p, "rope_theta")) local.rope_base = base(*p, "rope_theta");
        else if (has(cfg, "rope_local_base_freq")) local.rope_base = base(cfg, "rope_local_base_freq");
        else {
            local.rope_base = 10000.f;
            c.warnings.push_back("rope_local_base_freq missing: using the gemma3 default 10000");
        }
    }
    c.layer_kinds = {global, local};  // the order of the GGUF reader (gguf_arch.cpp)
    c.layer_kind.clear();
    for (bool s : sliding) c.layer_kind.push_back(s ? 1 : 0);
}

}  // namespace xl
