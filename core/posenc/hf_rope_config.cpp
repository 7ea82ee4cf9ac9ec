// Hugging Face config.json → method spec (see hf_rope_config.hpp for the rules and their sources).
#include "core/posenc/hf_rope_config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"
#include "core/util/checked_math.hpp"
#include "core/posenc/method_args.hpp"

namespace xl {
namespace {

using json = nlohmann::json;

// Reads the keys of one scaling object with typed errors that name the file and the key.
struct Reader {
    const json& obj;
    const std::string& subject;
    std::string where;  // "rope_scaling" or "rope_parameters"

    [[noreturn]] void fail(const std::string& msg) const {
        throw Error(ErrorKind::BadArgument, subject, where + ": " + msg);
    }
    bool has(const char* key) const { return obj.contains(key) && !obj.at(key).is_null(); }
    double number(const char* key) const {
        const json& v = obj.at(key);
        if (!v.is_number()) fail("'" + std::string(key) + "' must be a number, got " + json_excerpt(v));
        const double d = v.get<double>();
        if (!std::isfinite(d)) fail("'" + std::string(key) + "' must be finite");
        return d;
    }
    double opt(const char* key, double fallback) const { return has(key) ? number(key) : fallback; }
    double positive(const char* key) const {
        if (!has(key)) fail("'" + std::string(key) + "' is required for this rope type");
        const double v = number(key);
        if (!(v > 0)) fail("'" + std::string(key) + "' must be > 0, got " + format_number(v));
        return v;
    }
    std::vector<double> list(const char* key) const {
        if (!has(key)) return {};
        const json& v = obj.at(key);
        if (!v.is_array()) fail("'" + std::string(key) + "' must be a list of numbers");
        std::vector<double> out;
        for (const json& x : v) {
            if (!x.is_number()) fail("'" + std::string(key) + "' must be a list of numbers");
            out.push_back(x.get<double>());
        }
        return out;
    }
};

// Top-level (model-wide) integer or number, 0 when absent or null.
double top_number(const json& config, const char* key, const std::string& subject) {
    if (!config.contains(key) || config.at(key).is_null()) return 0;
    const json& v = config.at(key);
    if (!v.is_number())
        throw Error(ErrorKind::BadArgument, subject, "'" + std::string(key) + "' must be a number, got " + json_excerpt(v));
    return v.get<double>();
}

// A size-like number (context length, head size) as an int: the range is checked before the
// conversion, so 1e300 in a config is an error and not undefined behaviour.
int size_value(double v, const std::string& key, const std::string& subject) {
    int out = 0;
    if (!truncated_int(v, 0, 1 << 30, out))
        throw Error(ErrorKind::BadArgument, subject, "'" + key + "' = " + format_number(v) + " is not a plausible size");
    return out;
}

std::string lower(std::string s) {
    for (char& c : s) c = char(std::tolower((unsigned char)c));
    return s;
}

// "key=value" items of one spec component.
struct Component {
    std::string name;
    std::string items;
    void add(const std::string& key, const std::string& value) { append_item(items, ",", key + "=" + value); }
    void add(const std::string& key, double v) { add(key, format_number(v)); }
    std::string text() const { return items.empty() ? name : name + ":" + items; }
};

std::string join_factors(const std::vector<double>& f) {
    std::string out;
    for (double x : f) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", x);
        append_item(out, "/", buf);
    }
    return out;
}

struct Context {
    const json& config;
    const std::string& subject;
    HfRopeImport& out;
    Reader rs;
};

// §6.2 / §19 rows 4-5: the scale factor and correction context of YaRN by generation.
void resolve_yarn_scale(Context& c, double& s, double& corr_ctx) {
    const Reader& rs = c.rs;
    HfRopeImport& o = c.out;
    const double max_pos = o.max_position_embeddings;
    const bool has_orig = rs.has("original_max_position_embeddings");
    const double orig = has_orig ? rs.positive("original_max_position_embeddings") : 0;
    const bool has_factor = rs.has("factor");
    const std::string gen = to_string(o.generation);
    if (o.generation == HfGeneration::A) {
        s = rs.positive("factor");
        if (!(max_pos > 0)) rs.fail("HF-A takes the YaRN correction range from max_position_embeddings, which is missing");
        corr_ctx = max_pos;
        if (has_orig)
            o.notes.push_back("HF-A ignores original_max_position_embeddings " + format_number(orig) +
                              ": correction range on max_position_embeddings " + format_number(max_pos));
        return;
    }
    corr_ctx = has_orig ? orig : max_pos;
    if (!(corr_ctx > 0)) rs.fail("needs original_max_position_embeddings or max_position_embeddings");
    const bool derive = o.generation == HfGeneration::B ? has_orig : !has_factor;
    if (derive) {
        if (!(max_pos > 0 && has_orig))
            rs.fail("the factor must come from max_position_embeddings / original_max_position_embeddings, "
                    "and one of them is missing");
        s = max_pos / orig;
        if (has_factor && std::fabs(rs.number("factor") - s) > 1e-12)
            o.notes.push_back(gen + " overrides factor " + format_number(rs.number("factor")) +
                              " with max_position_embeddings / original_max_position_embeddings = " +
                              format_number(s) + " (transformers issue 38224)");
        else
            o.notes.push_back(gen + ": factor = max_position_embeddings / original_max_position_embeddings = " +
                              format_number(s));
    } else {
        s = rs.positive("factor");
    }
}

std::string import_yarn(Context& c) {
    const Reader& rs = c.rs;
    HfRopeImport& o = c.out;
    double s = 0, corr = 0;
    resolve_yarn_scale(c, s, corr);
    o.factor = s;
    o.original_context = size_value(corr, "original_max_position_embeddings", c.subject);
    const bool old = o.generation == HfGeneration::A;
    for (const char* k : {"mscale", "mscale_all_dim", "truncate"})
        if (rs.has(k) && (old || (o.generation == HfGeneration::B && std::string(k) == "truncate")))
            o.warnings.push_back(std::string(k) + " is ignored by " + to_string(o.generation));
    const bool mscales = !old && rs.has("mscale") && rs.has("mscale_all_dim");
    const std::string model_type = c.config.contains("model_type") && c.config["model_type"].is_string()
                                       ? lower(c.config["model_type"].get<std::string>()) : "";
    const bool deepseek = mscales && model_type.find("deepseek") != std::string::npos;
    Component y{deepseek ? "yarn_deepseek" : "yarn", ""};
    y.add("s", s);
    y.add("orig", corr);
    y.add("beta_fast", rs.opt("beta_fast", 32));
    y.add("beta_slow", rs.opt("beta_slow", 1));
    if (deepseek) {
        y.add("mscale", rs.number("mscale"));
        y.add("mscale_all_dim", rs.number("mscale_all_dim"));
        o.notes.push_back("DeepSeek YaRN: temperature in the softmax scale (position-methods.md §6.4)");
        return y.text();
    }
    if (rs.has("attention_factor")) y.add("attention_factor", rs.positive("attention_factor"));
    if (mscales) {
        y.add("mscale", rs.number("mscale"));
        y.add("mscale_all_dim", rs.number("mscale_all_dim"));
    }
    if (o.generation == HfGeneration::C && rs.has("truncate")) {
        const json& t = rs.obj.at("truncate");
        if (!t.is_boolean()) rs.fail("'truncate' must be true or false");
        if (!t.get<bool>()) y.add("truncate", "0");
    }
    y.add("conv", "hf");
    return y.text();
}

std::string import_longrope(Context& c) {
    const Reader& rs = c.rs;
    HfRopeImport& o = c.out;
    const std::vector<double> lf = rs.list("long_factor"), sf = rs.list("short_factor");
    if (lf.empty() || sf.empty()) rs.fail("longrope needs long_factor and short_factor lists");
    const int pairs = o.rotary_dim / 2;
    for (const auto* f : {&lf, &sf})
        if (pairs > 0 && int(f->size()) != pairs)
            rs.fail("longrope factor list has " + std::to_string(f->size()) + " values; the rotary dimension " +
                    std::to_string(o.rotary_dim) + " has " + std::to_string(pairs) + " pairs");
    // Phi-3 keeps original_max_position_embeddings at the top level; later configs inside.
    double orig = rs.opt("original_max_position_embeddings", top_number(c.config, "original_max_position_embeddings", c.subject));
    const double max_pos = o.max_position_embeddings;
    double s = rs.opt("factor", 0);
    const bool derive = o.generation == HfGeneration::C ? !(s > 0) : orig > 0 && max_pos > 0;
    if (derive && orig > 0 && max_pos > 0) {
        s = max_pos / orig;
        o.notes.push_back(std::string(to_string(o.generation)) + ": longrope s = max_position_embeddings / "
                          "original_max_position_embeddings = " + format_number(s));
    }
    if (!(orig > 0)) orig = max_pos;
    if (!(orig > 0)) rs.fail("longrope needs original_max_position_embeddings");
    Component l{"longrope", ""};
    l.add("long", join_factors(lf));
    l.add("short", join_factors(sf));
    if (s > 0) l.add("s", s);
    l.add("orig", orig);
    l.add("select", "hf");
    if (rs.has("attention_factor")) l.add("attention_factor", rs.positive("attention_factor"));
    o.factor = s;
    o.original_context = size_value(orig, "original_max_position_embeddings", c.subject);
    return l.text();
}

std::string import_scaling(Context& c, const std::string& type) {
    const Reader& rs = c.rs;
    HfRopeImport& o = c.out;
    if (type == "default") return "";
    if (type == "linear") {
        o.factor = rs.positive("factor");
        return "linear:s=" + format_number(o.factor);
    }
    if (type == "dynamic") {
        o.factor = rs.positive("factor");
        if (!(o.max_position_embeddings > 0)) rs.fail("dynamic needs max_position_embeddings (HF's L0, §4)");
        if (rs.has("original_max_position_embeddings"))
            o.notes.push_back("HF dynamic NTK uses max_position_embeddings as L0, not "
                              "original_max_position_embeddings (position-methods.md §4)");
        return "dynntk:s=" + format_number(o.factor) + ",orig=" + std::to_string(o.max_position_embeddings);
    }
    if (type == "yarn") return import_yarn(c);
    if (type == "longrope") return import_longrope(c);
    if (type == "llama3") {
        Component l{"llama3", ""};
        o.factor = rs.positive("factor");
        l.add("s", o.factor);
        l.add("low", rs.positive("low_freq_factor"));
        l.add("high", rs.positive("high_freq_factor"));
        o.original_context = size_value(rs.positive("original_max_position_embeddings"),
                                        "original_max_position_embeddings", c.subject);
        l.add("orig", o.original_context);
        return l.text();
    }
    rs.fail("unknown rope type '" + type + "'; known: default, linear, dynamic, yarn, longrope (su), llama3");
}

// The scaling object and its layout; null json when the config has none.
const json* scaling_object(const json& config, const std::string& subject, HfRopeImport& o) {
    if (config.contains("rope_parameters") && !config["rope_parameters"].is_null()) {
        const json* p = &config["rope_parameters"];
        if (!p->is_object()) throw Error(ErrorKind::BadArgument, subject, "'rope_parameters' must be an object");
        if (!p->contains("rope_type") && !p->contains("rope_theta") && p->contains("full_attention")) {
            o.notes.push_back("rope_parameters per attention type: using 'full_attention'");
            p = &(*p)["full_attention"];
            if (!p->is_object())
                throw Error(ErrorKind::BadArgument, subject, "'rope_parameters.full_attention' must be an object");
        }
        o.layout = "rope_parameters (v5)";
        if (o.generation != HfGeneration::C)
            o.notes.push_back("rope_parameters is the v5 layout: HF-C rules used");
        o.generation = HfGeneration::C;
        return p;
    }
    if (config.contains("rope_scaling") && !config["rope_scaling"].is_null()) {
        if (!config["rope_scaling"].is_object())
            throw Error(ErrorKind::BadArgument, subject, "'rope_scaling' must be an object or null");
        o.layout = "rope_scaling (v4)";
        return &config["rope_scaling"];
    }
    o.layout = "none";
    return nullptr;
}

std::string rope_type_of(const Reader& rs) {
    const char* key = rs.has("rope_type") ? "rope_type" : rs.has("type") ? "type" : nullptr;
    if (!key) return "default";
    if (!rs.obj.at(key).is_string()) rs.fail("'" + std::string(key) + "' must be a string");
    std::string t = lower(rs.obj.at(key).get<std::string>());
    if (t == "su") t = "longrope";  // legacy name (HF renames it)
    return t;
}

void read_model_keys(const json& config, const json* scaling, const std::string& subject, HfRopeImport& o) {
    const Reader rs{scaling ? *scaling : config, subject, scaling ? "rope scaling" : "config"};
    o.rope_theta = scaling && rs.has("rope_theta") ? rs.positive("rope_theta")
                                                   : top_number(config, "rope_theta", subject);
    o.max_position_embeddings = size_value(top_number(config, "max_position_embeddings", subject),
                                           "max_position_embeddings", subject);
    const double hd = top_number(config, "head_dim", subject);
    const double hidden = top_number(config, "hidden_size", subject);
    const double heads = top_number(config, "num_attention_heads", subject);
    o.head_dim = hd > 0 ? size_value(hd, "head_dim", subject)
                        : (hidden > 0 && heads > 0 ? size_value(hidden / heads, "hidden_size / num_attention_heads", subject) : 0);
    double prf = top_number(config, "partial_rotary_factor", subject);
    if (scaling && rs.has("partial_rotary_factor")) prf = rs.number("partial_rotary_factor");
    if (prf == 0) prf = 1;
    if (!(prf > 0 && prf <= 1))
        throw Error(ErrorKind::BadArgument, subject, "'partial_rotary_factor' must be in (0, 1]");
    o.partial_rotary_factor = prf;
    o.rotary_dim = o.head_dim > 0 ? (int(o.head_dim * prf) / 2) * 2 : 0;
}

}  // namespace

const char* to_string(HfGeneration g) {
    switch (g) {
        case HfGeneration::A: return "HF-A";
        case HfGeneration::B: return "HF-B";
        case HfGeneration::C: return "HF-C";
    }
    return "?";
}

HfGeneration parse_hf_generation(const std::string& text) {
    std::string t = lower(text);
    if (t.rfind("hf-", 0) == 0) t = t.substr(3);
    if (t == "a") return HfGeneration::A;
    if (t == "b") return HfGeneration::B;
    if (t == "c") return HfGeneration::C;
    throw Error(ErrorKind::BadArgument, text, "HF generation must be HF-A, HF-B or HF-C");
}

HfRopeImport import_hf_rope_config(const json& config, HfGeneration generation, const std::string& subject) {
    if (!config.is_object()) throw Error(ErrorKind::BadArgument, subject, "config must be a JSON object");
    HfRopeImport o;
    o.generation = generation;
    const json* scaling = scaling_object(config, subject, o);
    read_model_keys(config, scaling, subject, o);
    const bool v5 = o.layout.rfind("rope_parameters", 0) == 0;
    Context c{config, subject, o, Reader{scaling ? *scaling : config, subject, v5 ? "rope_parameters" : "rope_scaling"}};
    o.rope_type = scaling ? rope_type_of(c.rs) : "default";
    if (o.rope_type == "mrope") {
        o.warnings.push_back("mrope: multimodal rope sections are ignored (text positions = plain RoPE)");
        o.rope_type = "default";
    }
    const std::string method = import_scaling(c, o.rope_type);
    std::string spec;
    if (o.rope_theta > 0) spec = "abf:base=" + format_number(o.rope_theta);
    else
        o.warnings.push_back("rope_theta missing: the model's own RoPE base is used "
                             "(transformers would assume 10000)");
    if (!method.empty()) append_item(spec, "+", method);
    o.spec = spec.empty() ? "none" : spec;
    return o;
}

HfRopeImport import_hf_rope_config_text(const std::string& json_text, HfGeneration generation,
                                        const std::string& subject) {
    const json config = parse_json_limited(json_text, subject, ErrorKind::BadArgument);
    return import_hf_rope_config(config, generation, subject);
}

HfRopeImport import_hf_rope_config_file(const std::string& path, HfGeneration generation) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorKind::BadFile, path, "cannot open the config file");
    std::stringstream ss;
    ss << f.rdbuf();
    return import_hf_rope_config_text(ss.str(), generation, path);
}

}  // namespace xl
