// Parsing and printing of method specs: "name:key=value,key=value" components joined by '+',
// e.g. "yarn:s=4,orig=512+logn". Validated against the method registry.
#include <cctype>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/method_registry.hpp"

namespace xl {
namespace {

std::string trim(const std::string& s) {
    size_t a = 0, b = s.size();
    while (a < b && std::isspace((unsigned char)s[a])) ++a;
    while (b > a && std::isspace((unsigned char)s[b - 1])) --b;
    return s.substr(a, b - a);
}

// '+' separates components, except inside a number's exponent ("1e+6").
std::vector<std::string> split_components(const std::string& text) {
    std::vector<std::string> parts;
    std::string cur;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool exponent = i >= 2 && (text[i - 1] == 'e' || text[i - 1] == 'E') &&
                              (std::isdigit((unsigned char)text[i - 2]) || text[i - 2] == '.') &&
                              i + 1 < text.size() && std::isdigit((unsigned char)text[i + 1]);
        if (c == '+' && !exponent) {
            parts.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    parts.push_back(cur);
    return parts;
}

void validate_value(const MethodInfo& info, const MethodKey& key, const std::string& value,
                    const std::string& whole) {
    auto bad = [&](const std::string& what) {
        throw Error(ErrorKind::BadArgument, whole,
                    info.name + ": '" + key.name + "' " + what + "; valid keys: " + method_keys_text(info));
    };
    double v = 0;
    if (key.kind == KeyKind::Number && !parse_number(value, v))
        bad("must be a number, got '" + value + "'");
    if (key.kind == KeyKind::Choice) {
        for (const auto& c : key.choices)
            if (c == value) return;
        std::string list;
        for (const auto& c : key.choices) append_item(list, "|", c);
        bad("must be one of " + list + ", got '" + value + "'");
    }
    if (key.kind == KeyKind::List) {
        std::string item;
        for (size_t i = 0; i <= value.size(); ++i) {
            if (i < value.size() && value[i] != '/') { item += value[i]; continue; }
            if (!parse_number(item, v)) bad("must be numbers separated by '/', got '" + value + "'");
            item.clear();
        }
    }
}

MethodSpec parse_component(const std::string& raw, const std::string& whole) {
    const std::string text = trim(raw);
    if (text.empty())
        throw Error(ErrorKind::BadArgument, whole, "empty method; valid methods: " + method_names_text());
    const size_t colon = text.find(':');
    MethodSpec spec;
    const std::string name = trim(text.substr(0, colon));
    const MethodInfo* info = find_method(name);
    if (!info)
        throw Error(ErrorKind::BadArgument, whole,
                    "unknown method '" + name + "'; valid methods: " + method_names_text());
    spec.name = info->name;
    if (colon == std::string::npos) return spec;
    const std::string body = text.substr(colon + 1);
    if (trim(body).empty()) return spec;  // "yarn:" = all defaults
    std::vector<std::string> items(1);
    for (char c : body) {
        if (c == ',') items.emplace_back();
        else items.back() += c;
    }
    for (const std::string& raw_item : items) {
        const std::string item = trim(raw_item);
        if (item.empty())
            throw Error(ErrorKind::BadArgument, whole,
                        info->name + ": empty parameter; valid keys: " + method_keys_text(*info));
        const size_t eq = item.find('=');
        const std::string key = trim(item.substr(0, eq));
        if (key == "layers" && eq != std::string::npos) {  // generic: which layer kinds (make_plan)
            const std::string value = trim(item.substr(eq + 1));
            if (value.empty() || spec.params.count(key))
                throw Error(ErrorKind::BadArgument, whole, info->name + ": 'layers' needs one value (global|local|all)");
            spec.params[key] = value;
            continue;
        }
        const MethodKey* k = info->key(key);
        if (!k)
            throw Error(ErrorKind::BadArgument, whole,
                        info->name + ": unknown key '" + key + "'; valid keys: " + method_keys_text(*info));
        if (eq == std::string::npos)
            throw Error(ErrorKind::BadArgument, whole,
                        info->name + ": key '" + key + "' needs a value (" + key + "=...); valid keys: " +
                            method_keys_text(*info));
        if (spec.params.count(key))
            throw Error(ErrorKind::BadArgument, whole, info->name + ": key '" + key + "' given twice");
        const std::string value = trim(item.substr(eq + 1));
        validate_value(*info, *k, value, whole);
        spec.params[key] = value;
    }
    return spec;
}

std::string canonical_component(const MethodSpec& s) {
    const MethodInfo* info = find_method(s.name);
    std::string out = info ? info->name : s.name;
    bool first = true;
    auto add = [&](const std::string& k, const std::string& v) {
        out += (first ? ":" : ",") + k + "=" + v;
        first = false;
    };
    if (!info) {
        for (const auto& [k, v] : s.params) add(k, v);
        return out;
    }
    for (const MethodKey& k : info->keys) {
        auto it = s.params.find(k.name);
        if (it == s.params.end()) continue;
        double v = 0;
        if (k.kind == KeyKind::Number && parse_number(it->second, v)) add(k.name, format_number(v));
        else add(k.name, it->second);
    }
    if (auto it = s.params.find("layers"); it != s.params.end()) add("layers", it->second);
    return out;
}

}  // namespace

MethodSpec parse_method_spec(const std::string& text) {
    const std::vector<std::string> parts = split_components(text);
    MethodSpec spec = parse_component(parts[0], text);
    for (size_t i = 1; i < parts.size(); ++i) spec.extra.push_back(parse_component(parts[i], text));
    return spec;
}

std::string MethodSpec::canonical() const {
    std::string out = canonical_component(*this);
    for (const MethodSpec& e : extra) append_item(out, "+", e.canonical());
    return out;
}

double MethodSpec::get(const std::string& key, double fallback) const {
    auto it = params.find(key);
    double v = 0;
    if (it != params.end() && parse_number(it->second, v)) return v;
    return fallback;
}

}  // namespace xl
