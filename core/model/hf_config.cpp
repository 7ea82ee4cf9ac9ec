// config.json → ModelConfig (see hf_config.hpp). Key names and defaults: transformers'
// configuration_<family>.py; the Gemma 3 layer rule: Gemma3TextConfig (layer_types from
// sliding_window_pattern); the RoPE part: core/posenc/hf_rope_config (HF-C rules).
#include "core/model/hf_config.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"
#include "core/model/hf_positions.hpp"
#include "core/posenc/method_args.hpp"

namespace xl {
namespace {

using json = nlohmann::json;

// The largest real checkpoints have ~128 layers and 128 heads; these leave room and bound the
// per-layer and per-head vectors a config alone can ask for.
constexpr int kMaxLayers = 4096;
constexpr int kMaxHeads = 4096;

// Typed access to one config object; errors name the file and the key.
struct Keys {
    const json& c;
    const std::string& path;
    const char* arch;

    bool has(const char* k) const { return c.contains(k) && !c.at(k).is_null(); }
    [[noreturn]] void fail(ErrorKind kind, const std::string& msg) const { throw Error(kind, path, msg); }
    double number(const char* k) const {
        const json& v = c.at(k);
        if (!v.is_number() || !std::isfinite(v.get<double>()))
            fail(ErrorKind::BadFile, "'" + std::string(k) + "' must be a number, got " + json_excerpt(v));
        return v.get<double>();
    }
    // A whole number in [1, max]: sizes the model allocates per unit (layers, heads) have lower
    // caps than widths, so a few bytes of config cannot ask for a vector of 2^30 layers.
    int positive_int(const char* k, int max = 1 << 30) const {
        const double v = number(k);
        if (!(v >= 1 && v <= double(max)) || v != std::floor(v))
            fail(ErrorKind::BadFile, "'" + std::string(k) + "' = " + json_excerpt(c.at(k)) + " is not a plausible size (1 to " +
                                         std::to_string(max) + ")");
        return int(v);
    }
    bool flag(const char* k, bool fallback) const {
        if (!has(k)) return fallback;
        if (!c.at(k).is_boolean()) fail(ErrorKind::BadFile, "'" + std::string(k) + "' must be true or false");
        return c.at(k).get<bool>();
    }
    std::string text(const char* k, const std::string& fallback) const {
        if (!has(k)) return fallback;
        if (!c.at(k).is_string()) fail(ErrorKind::BadFile, "'" + std::string(k) + "' must be a string");
        return c.at(k).get<std::string>();
    }
    double number_or(const char* k, double fallback, std::vector<std::string>& warnings) const {
        if (has(k)) return number(k);
        warnings.push_back(std::string(k) + " missing: using the " + arch + " default " + format_number(fallback));
        return fallback;
    }
};

std::vector<std::string> class_names(const json& c) {
    std::vector<std::string> out;
    if (c.contains("architectures") && c["architectures"].is_array())
        for (const json& a : c["architectures"])
            if (a.is_string()) out.push_back(a.get<std::string>());
    return out;
}

const HfArchitecture& pick_architecture(const json& c, const std::string& path) {
    const std::string type = c.contains("model_type") && c["model_type"].is_string() ? c["model_type"].get<std::string>() : "";
    const std::vector<std::string> classes = class_names(c);
    const HfArchitecture* a = find_hf_architecture(type, classes);
    if (a) return *a;
    std::string named = type.empty() ? "no model_type" : "model_type '" + type + "'";
    if (!classes.empty()) named += ", architectures '" + classes.front() + "'";
    throw Error(ErrorKind::Unsupported, path, "architecture not supported (" + named + "); supported: " + hf_supported_list());
}

void read_shapes(const Keys& k, const HfArchitecture& a, ModelConfig& c) {
    std::string missing;
    for (const char* key : {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
                            "vocab_size", "max_position_embeddings"})
        if (!k.has(key)) missing += (missing.empty() ? "'" : ", '") + std::string(key) + "'";
    if (!missing.empty())
        k.fail(ErrorKind::BadFile, "config.json lacks " + missing + ", needed by architecture " + a.name);
    c.dim = k.positive_int("hidden_size");
    c.hidden_dim = k.positive_int("intermediate_size");
    c.n_layers = k.positive_int("num_hidden_layers", kMaxLayers);
    c.n_heads = k.positive_int("num_attention_heads", kMaxHeads);
    c.n_kv_heads = k.has("num_key_value_heads") ? k.positive_int("num_key_value_heads", kMaxHeads) : c.n_heads;
    c.vocab_size = k.positive_int("vocab_size");
    if (c.n_heads % c.n_kv_heads != 0)
        k.fail(ErrorKind::BadFile, "num_attention_heads " + std::to_string(c.n_heads) +
                                       " is not a multiple of num_key_value_heads " + std::to_string(c.n_kv_heads));
    if (k.has("head_dim")) c.head_dim = k.positive_int("head_dim");
    else if (a.default_head_dim > 0) c.head_dim = a.default_head_dim;
    else if (c.dim % c.n_heads == 0) c.head_dim = c.dim / c.n_heads;
    else k.fail(ErrorKind::BadFile, "hidden_size is not a multiple of num_attention_heads and head_dim is missing");
    c.norm_eps = float(k.number_or("rms_norm_eps", a.default_eps, c.warnings));
    c.file_context_length = c.train_context_length = k.positive_int("max_position_embeddings");
}

// Options of the block the table cannot hold: refused by name rather than silently wrong.
void check_block_options(const Keys& k, const HfArchitecture& a, HfModelConfig& h) {
    const std::string act = k.text(a.activation_key, a.activations.front());
    bool ok = false;
    for (const std::string& x : a.activations) ok = ok || x == act;
    if (!ok) k.fail(ErrorKind::Unsupported, std::string(a.activation_key) + " '" + act + "' is not supported for " + a.name);
    if (k.flag("mlp_bias", false)) k.fail(ErrorKind::Unsupported, "mlp_bias true is not supported");
    for (const char* cap : {"final_logit_softcapping", "attn_logit_softcapping"})
        if (k.has(cap)) k.fail(ErrorKind::Unsupported, std::string(cap) + " " + json_excerpt(k.c.at(cap)) + " is not supported");
    h.attention_bias = std::string(a.name) == "qwen2" || k.flag("attention_bias", false);
    ModelConfig& c = h.config;
    c.norm = NormType::RMSNorm;
    c.residual = Residual::PreNorm;
    c.mlp = a.mlp;
    c.tied_output = k.flag("tie_word_embeddings", a.default_tied);
    if (a.scale_embeddings) c.embedding_scale = std::sqrt(float(c.dim));
    if (k.has("query_pre_attn_scalar")) {
        const double s = k.number("query_pre_attn_scalar");
        if (!(s > 0)) k.fail(ErrorKind::BadFile, "'query_pre_attn_scalar' must be > 0, got " + json_excerpt(k.c.at("query_pre_attn_scalar")));
        c.attention_scale = float(1.0 / std::sqrt(s));
    }
    else if (std::string(a.name) == "gemma3") c.attention_scale = float(1.0 / std::sqrt(256.0));
}

}  // namespace

HfModelConfig read_hf_config(const std::string& json_text, const std::string& path) {
    json root = parse_json_limited(json_text, path, ErrorKind::BadFile);
    if (!root.is_object()) throw Error(ErrorKind::BadFile, path, "not a JSON object");
    HfModelConfig h;
    const HfArchitecture& a = pick_architecture(root, path);
    h.arch = &a;
    const json* cfg = &root;
    if (root.contains("text_config") && root["text_config"].is_object()) {
        cfg = &root["text_config"];
        h.text_config = true;
    }
    const Keys k{*cfg, path, a.name};
    ModelConfig& c = h.config;
    c.format = "hf safetensors";
    c.architecture = a.name;
    read_shapes(k, a, c);
    check_block_options(k, a, h);
    if (h.text_config && !cfg->contains("tie_word_embeddings") && root.contains("tie_word_embeddings"))
        c.tied_output = Keys{root, path, a.name}.flag("tie_word_embeddings", c.tied_output);
    read_hf_rope(*cfg, path, a, c);
    read_hf_layer_kinds(*cfg, path, a, c);
    for (const auto& [key, v] : cfg->items())
        if (!v.is_object() && !(v.is_array() && v.size() > 8)) c.metadata["config." + key] = v.is_string() ? v.get<std::string>() : v.dump();
    return h;
}

}  // namespace xl
