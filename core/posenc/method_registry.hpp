// The registry of position methods: one entry per method (name, description, keys with defaults,
// builder). Each method family lives in its own file core/posenc/method_<family>.cpp and exposes a
// `register_<family>(MethodRegistry&)` function; method_registry.cpp calls them in display order.
// (An explicit call list, not static initialisers: objects of a static library that nothing
// references are dropped by the linker, so self-registration would silently lose methods.)
//
//   const xl::MethodInfo* m = xl::find_method("yarn");
//   for (const auto& k : m->keys) std::printf("%s = %s\n", k.name.c_str(), k.def.c_str());
#pragma once
#include <string>
#include <vector>

namespace xl {

class MethodArgs;
struct PlanContext;

// When a component of a combination runs: Base (changes the RoPE base), Signal (defines the
// position signal: RoPE frequencies or ALiBi slopes; at most one), Modifier (positions, masks,
// query scales; several may combine).
enum class MethodStage { Base, Signal, Modifier };
// Which models a method applies to (ModelConfig::position).
enum class MethodApplies { RoPE, ALiBi, Any };
enum class KeyKind { Number, Choice, List };

struct MethodKey {
    std::string name;
    KeyKind kind = KeyKind::Number;
    std::string def;                    // default as text; "" = derived from the model (help says how)
    std::string help;                   // one line, units included
    std::vector<std::string> choices;   // KeyKind::Choice only
    bool detail = false;                // named in the plan's resolved spec only when given
};

using MethodBuilder = void (*)(const MethodArgs& args, PlanContext& ctx);

struct MethodInfo {
    std::string name;
    std::string description;            // one line for --help and the app
    std::string section;                // section of position-methods.md, e.g. "§6"
    MethodStage stage = MethodStage::Signal;
    MethodApplies applies = MethodApplies::RoPE;
    std::vector<MethodKey> keys;
    MethodBuilder build = nullptr;
    std::vector<std::string> aliases;   // accepted alternative names (canonical text uses `name`)
    const MethodKey* key(const std::string& k) const;
};

class MethodRegistry {
public:
    void add(MethodInfo info);
    const std::vector<MethodInfo>& methods() const { return methods_; }

private:
    std::vector<MethodInfo> methods_;
};

// The registry, built once on first use (immutable afterwards).
const MethodRegistry& method_registry();
// Lookup by name or alias; nullptr if unknown.
const MethodInfo* find_method(const std::string& name);
// "a, b, c" listing of the registered names (for error messages).
std::string method_names_text();
// "s (default 4), orig (default: model's training context), ..." (for error messages).
std::string method_keys_text(const MethodInfo& info);

}  // namespace xl
