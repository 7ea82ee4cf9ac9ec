// The method registry: calls each method file's register function, in display order.
#include "core/posenc/method_args.hpp"
#include "core/posenc/method_registry.hpp"

#include <cassert>

namespace xl {

// One per method file (core/posenc/method_<family>.cpp).
void register_none(MethodRegistry&);
void register_file(MethodRegistry&);
void register_linear(MethodRegistry&);
void register_ntk(MethodRegistry&);
void register_dynntk(MethodRegistry&);
void register_yarn(MethodRegistry&);
void register_abf(MethodRegistry&);
void register_logn(MethodRegistry&);
void register_alibi(MethodRegistry&);
void register_nope(MethodRegistry&);
void register_ntkparts(MethodRegistry&);
void register_dynyarn(MethodRegistry&);
void register_dynpi(MethodRegistry&);
void register_llama3(MethodRegistry&);
void register_longrope(MethodRegistry&);
void register_qwen(MethodRegistry&);
void register_yarn_deepseek(MethodRegistry&);
void register_rerope(MethodRegistry&);
void register_selfextend(MethodRegistry&);
void register_window(MethodRegistry&);
void register_ntkalibi(MethodRegistry&);
void register_xpos(MethodRegistry&);

const MethodKey* MethodInfo::key(const std::string& k) const {
    for (const MethodKey& m : keys)
        if (m.name == k) return &m;
    return nullptr;
}

void MethodRegistry::add(MethodInfo info) {
    assert(info.build && !info.name.empty());
    methods_.push_back(std::move(info));
}

namespace {
MethodRegistry build_registry() {
    MethodRegistry r;
    register_none(r);
    register_file(r);
    register_nope(r);
    register_linear(r);
    register_ntk(r);
    register_dynntk(r);
    register_qwen(r);
    register_ntkparts(r);
    register_yarn(r);
    register_dynyarn(r);
    register_yarn_deepseek(r);
    register_dynpi(r);
    register_llama3(r);
    register_longrope(r);
    register_abf(r);
    register_alibi(r);
    register_ntkalibi(r);
    register_xpos(r);
    register_logn(r);
    register_rerope(r);
    register_selfextend(r);
    register_window(r);
    return r;
}
}  // namespace

const MethodRegistry& method_registry() {
    static const MethodRegistry registry = build_registry();
    return registry;
}

const MethodInfo* find_method(const std::string& name) {
    for (const MethodInfo& m : method_registry().methods()) {
        if (m.name == name) return &m;
        for (const std::string& a : m.aliases)
            if (a == name) return &m;
    }
    return nullptr;
}

std::string method_names_text() {
    std::string out;
    for (const MethodInfo& m : method_registry().methods()) append_item(out, ", ", m.name);
    return out;
}

std::string method_keys_text(const MethodInfo& info) {
    if (info.keys.empty()) return "(none)";
    std::string out;
    for (const MethodKey& k : info.keys) {
        append_item(out, ", ", k.name);
        if (k.kind == KeyKind::Choice) {
            std::string c;
            for (const auto& x : k.choices) append_item(c, "|", x);
            out += "=" + c;
        }
        out += k.def.empty() ? " (default: " + k.help + ")" : " (default " + k.def + ")";
    }
    return out;
}

}  // namespace xl
