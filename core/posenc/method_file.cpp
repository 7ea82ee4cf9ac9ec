// file: the RoPE scaling stored in the model file. A method the loader derived
// (FileRopeScaling::method: a Hugging Face config.json's rope_scaling / rope_parameters as the
// config import reads it, in transformers' convention) is compiled as given. Else GGUF rope.scaling.* is compiled as the
// method it names with the file's parameters, in llama.cpp's convention (what llama.cpp would run):
//   linear   → linear:s=factor
//   yarn     → yarn:conv=llamacpp,s=factor,orig=original_context[,attn_factor,beta_fast,beta_slow,ext_factor]
//   longrope → longrope:select=llamacpp (factors and attention factor from the file)
//   none / absent → none (the model's plain signal, its rope_freqs included)
#include "core/posenc/method.hpp"
#include "core/posenc/method_args.hpp"
#include "core/posenc/method_registry.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

void put(MethodSpec& s, const std::string& key, double v, bool when = true) {
    if (when) s.params[key] = format_number(v);
}

MethodSpec file_spec(const FileRopeScaling& f) {
    MethodSpec s;
    if (f.type == "linear" && f.factor > 0) {
        s.name = "linear";
        put(s, "s", f.factor);
    } else if (f.type == "yarn" && f.factor > 0) {
        s.name = "yarn";
        s.params["conv"] = "llamacpp";
        put(s, "s", f.factor);
        put(s, "orig", f.original_context, f.original_context > 0);
        put(s, "attn_factor", f.attn_factor, f.attn_factor > 0);
        put(s, "beta_fast", f.yarn_beta_fast, f.yarn_beta_fast > 0);
        put(s, "beta_slow", f.yarn_beta_slow, f.yarn_beta_slow > 0);
        put(s, "ext_factor", f.yarn_ext_factor, f.yarn_ext_factor > 0);
    } else if (f.type == "longrope") {
        s.name = "longrope";
        s.params["select"] = "llamacpp";
        put(s, "s", f.factor, f.factor > 0);
        put(s, "attention_factor", f.attn_factor, f.attn_factor > 0);
    } else {
        s.name = "none";
    }
    return s;
}

// A Hugging Face config.json's scaling, as the loader imported it (FileRopeScaling::method).
void build_file_method(const MethodArgs& a, PlanContext& c, const std::string& text) {
    const MethodSpec spec = parse_method_spec(text);
    if (!spec.extra.empty()) a.fail("the file's method '" + text + "' combines several methods");
    const MethodInfo* info = find_method(spec.name);
    if (!c.rope_model) a.fail("the file names RoPE scaling '" + text + "' but model '" + c.config.name + "' has no RoPE");
    MethodArgs inner(spec, *info);
    info->build(inner, c);
    c.note("file: " + inner.resolved() + " (the config's own scaling)");
}

void build_file(const MethodArgs& a, PlanContext& c) {
    const FileRopeScaling& f = c.config.rope_scaling;
    if (!f.method.empty()) return build_file_method(a, c, f.method);
    const std::string& t = f.type;
    if (!t.empty() && t != "none" && t != "linear" && t != "yarn" && t != "longrope")
        a.fail("the file's rope scaling type '" + t + "' is not supported; choose a method explicitly");
    const MethodSpec spec = file_spec(f);
    if (!c.rope_model && spec.name != "none")
        a.fail("the file names RoPE scaling '" + t + "' but model '" + c.config.name + "' has no RoPE");
    const MethodInfo* info = find_method(spec.name);
    MethodArgs inner(spec, *info);
    info->build(inner, c);
    c.note("file: " + inner.resolved());
}

}  // namespace

void register_file(MethodRegistry& r) {
    r.add({"file", "the RoPE scaling stored in the model file, as llama.cpp applies it", "§2, §6, §8",
           MethodStage::Signal, MethodApplies::Any, {}, build_file, {}});
}

}  // namespace xl
