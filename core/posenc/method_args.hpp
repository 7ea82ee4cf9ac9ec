// MethodArgs: the parameters of one component of a method spec as a builder reads them — the
// user's value, else the registry default, else a model-derived default — recording every value
// used so that the plan's canonical spec names the effective parameters.
//
//   double s = args.num("s");                          // given or registry default
//   double orig = args.num("orig", ctx.train_ctx);     // registry default "" = model-derived
//   if (args.choice("conv") == "paper") ...
//   args.fail("s must be > 0");                        // throws Error(BadArgument, spec, message)
#pragma once
#include <map>
#include <string>
#include <vector>

#include "core/posenc/method.hpp"
#include "core/posenc/method_registry.hpp"

namespace xl {

class MethodArgs {
public:
    MethodArgs(const MethodSpec& spec, const MethodInfo& info) : spec_(spec), info_(info) {}

    bool given(const std::string& key) const;
    double num(const std::string& key) const;                        // registry default must exist
    double num(const std::string& key, double model_default) const;  // used when not given and def == ""
    double positive(const std::string& key, double model_default = 0) const;  // > 0 or fail
    // A whole number in [min, kMaxWholeArg] (token counts, windows) or fail; the range is
    // checked before converting, so "w=31e300" is an error, not undefined behaviour.
    int whole(const std::string& key, double model_default, int min) const;
    static constexpr int kMaxWholeArg = 1 << 28;
    std::string choice(const std::string& key) const;
    std::vector<double> list(const std::string& key) const;  // empty if not given
    void record(const std::string& key, const std::string& text) const;  // e.g. "model" for lists

    [[noreturn]] void fail(const std::string& message) const;
    const MethodSpec& spec() const { return spec_; }
    const MethodInfo& info() const { return info_; }
    // name:key=value,... over every value used, in registry key order.
    std::string resolved() const;  // keys marked `detail` only when given

private:
    const MethodKey& key_info(const std::string& key) const;
    const MethodSpec& spec_;
    const MethodInfo& info_;
    mutable std::map<std::string, std::string> used_;
};

// Number text used in canonical specs ("4", "0.5", "1e+06").
std::string format_number(double v);
// out += sep + item, without the separator when out is empty (lists in messages and specs).
void append_item(std::string& out, const char* sep, const std::string& item);
// Parses a whole string as a finite number; false if anything is left over.
bool parse_number(const std::string& text, double& out);

}  // namespace xl
