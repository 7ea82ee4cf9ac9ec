// MethodArgs: resolved parameter values of one spec component (see method_args.hpp).
#include "core/posenc/method_args.hpp"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/error.hpp"
#include "core/util/checked_math.hpp"

namespace xl {

std::string format_number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

void append_item(std::string& out, const char* sep, const std::string& item) {
    if (!out.empty()) out += sep;
    out += item;
}

bool parse_number(const std::string& text, double& out) {
    if (text.empty()) return false;
    const char* first = text.data();
    const char* last = first + text.size();
    if (*first == '+') ++first;
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc() && ptr == last && std::isfinite(out);
}

const MethodKey& MethodArgs::key_info(const std::string& key) const {
    const MethodKey* k = info_.key(key);
    assert(k && "builder asked for a key its registry entry does not declare");
    return *k;
}

bool MethodArgs::given(const std::string& key) const { return spec_.params.count(key) > 0; }

double MethodArgs::num(const std::string& key) const {
    assert(!key_info(key).def.empty() && "model-derived default: use num(key, model_default)");
    return num(key, 0.0);
}

double MethodArgs::num(const std::string& key, double model_default) const {
    const MethodKey& k = key_info(key);
    double v = model_default;
    auto it = spec_.params.find(key);
    const std::string& text = it != spec_.params.end() ? it->second : k.def;
    if (!text.empty() && !parse_number(text, v))
        fail("'" + key + "' must be a number, got '" + text + "'");
    used_[key] = format_number(v);
    return v;
}

double MethodArgs::positive(const std::string& key, double model_default) const {
    const double v = num(key, model_default);
    if (!(v > 0))
        fail("'" + key + "' must be > 0" +
             std::string(given(key) ? "" : " (its default comes from the model, which has none)"));
    return v;
}

int MethodArgs::whole(const std::string& key, double model_default, int min) const {
    const double v = num(key, model_default);
    int out = 0;
    if (!whole_int(v, min, kMaxWholeArg, out))
        fail("'" + key + "' must be a whole number in [" + std::to_string(min) + ", " + std::to_string(kMaxWholeArg) +
             "], got " + format_number(v));
    return out;
}

std::string MethodArgs::choice(const std::string& key) const {
    const MethodKey& k = key_info(key);
    auto it = spec_.params.find(key);
    std::string v = it != spec_.params.end() ? it->second : k.def;
    used_[key] = v;
    return v;
}

std::vector<double> MethodArgs::list(const std::string& key) const {
    key_info(key);
    std::vector<double> out;
    auto it = spec_.params.find(key);
    if (it == spec_.params.end()) return out;
    std::string item;
    std::string canon;
    const std::string& text = it->second;
    for (size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] != '/') {
            item += text[i];
            continue;
        }
        double v = 0;
        if (!parse_number(item, v)) fail("'" + key + "' must be numbers separated by '/', got '" + item + "'");
        out.push_back(v);
        append_item(canon, "/", format_number(v));
        item.clear();
    }
    used_[key] = canon;
    return out;
}

void MethodArgs::record(const std::string& key, const std::string& text) const { used_[key] = text; }

void MethodArgs::fail(const std::string& message) const {
    throw Error(ErrorKind::BadArgument, spec_.canonical(), message);
}

std::string MethodArgs::resolved() const {
    std::string out = info_.name;
    bool first = true;
    for (const MethodKey& k : info_.keys) {
        auto it = used_.find(k.name);
        if (it == used_.end() || (k.detail && !given(k.name))) continue;
        out += (first ? ":" : ",") + k.name + "=" + it->second;
        first = false;
    }
    return out;
}

}  // namespace xl
