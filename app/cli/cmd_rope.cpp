// `extrapolab rope`: the per-pair analytic view of a RoPE method (position-methods.md §1-§6, §18):
// original and remapped inverse frequency, wavelength and ramp weight per pair, and the
// attention factor (mscale on cos/sin). No model is needed.
#include <cstdio>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/posenc/method.hpp"

namespace xl::cli {

namespace {

struct RopeOptions {
    std::string method = "none", format = "table", out;
    int head_dim = 64, train_ctx = 4096, seq_len = 0;
    double base = 10000;
};

std::string num(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string rope_text(const RopeOptions& o, const MethodSpec& spec, const RopeTable& t) {
    std::ostringstream s;
    s << "method: " << t.method << " (convention: " << (t.convention.empty() ? "-" : t.convention) << ")\n";
    s << "head dim " << o.head_dim << ", base " << num("%g", o.base) << ", training length " << o.train_ctx
      << ", evaluated at length " << (o.seq_len > 0 ? o.seq_len : o.train_ctx) << "\n";
    s << "attention_factor (mscale on cos and sin): " << num("%.7f", t.attention_factor) << "\n";
    if (t.ramp_low != 0 || t.ramp_high != 0)
        s << "ramp: pairs below " << num("%.4f", t.ramp_low) << " keep their frequency, pairs above "
          << num("%.4f", t.ramp_high) << " are fully interpolated\n";
    s << "\n pair  channels(normal)  channels(neox)    inv_freq_orig       inv_freq    wavelength    ramp\n";
    const int half = o.head_dim / 2;
    for (size_t j = 0; j < t.inv_freq.size(); ++j) {
        char line[200];
        std::snprintf(line, sizeof line, "%5zu  %16s  %14s  %15.7e  %13.7e  %12.4f  %6.4f\n", j,
                      (std::to_string(2 * j) + "," + std::to_string(2 * j + 1)).c_str(),
                      (std::to_string(j) + "," + std::to_string(j + size_t(half))).c_str(),
                      t.inv_freq_original[j], t.inv_freq[j], t.wavelength[j], j < t.ramp.size() ? t.ramp[j] : 0.0);
        s << line;
    }
    return s.str();
}

nlohmann::json rope_json(const RopeOptions& o, const RopeTable& t) {
    nlohmann::json j;
    j["tool"] = "extrapolab rope";
    j["method"] = t.method;
    j["convention"] = t.convention;
    j["head_dim"] = o.head_dim;
    j["base"] = o.base;
    j["train_context"] = o.train_ctx;
    j["seq_len"] = o.seq_len > 0 ? o.seq_len : o.train_ctx;
    j["attention_factor"] = t.attention_factor;
    j["ramp_low"] = t.ramp_low;
    j["ramp_high"] = t.ramp_high;
    nlohmann::json pairs = nlohmann::json::array();
    for (size_t p = 0; p < t.inv_freq.size(); ++p)
        pairs.push_back({{"pair", p},
                         {"inv_freq_original", t.inv_freq_original[p]},
                         {"inv_freq", t.inv_freq[p]},
                         {"wavelength", t.wavelength[p]},
                         {"ramp", p < t.ramp.size() ? t.ramp[p] : 0.0}});
    j["pairs"] = std::move(pairs);
    return j;
}

int run_rope(const RopeOptions& o) {
    const MethodSpec spec = parse_method_spec(o.method);
    const RopeTable t = rope_table(spec, o.head_dim, o.base, o.train_ctx, o.seq_len);
    emit_output(o.format == "json" ? json_text(rope_json(o, t)) : rope_text(o, spec, t), o.out);
    return 0;
}

}  // namespace

Command add_rope_command(CLI::App& root) {
    auto o = std::make_shared<RopeOptions>();
    CLI::App* app = root.add_subcommand("rope", "Per-pair RoPE inverse frequencies, wavelengths and ramp of a method");
    app->add_option("--head-dim", o->head_dim, "rotary dimensions per head")->capture_default_str();
    app->add_option("--base", o->base, "RoPE base")->capture_default_str();
    app->add_option("--method", o->method, "position method spec")->capture_default_str();
    app->add_option("--train-ctx", o->train_ctx, "training (original) context length")->capture_default_str();
    app->add_option("--seq-len", o->seq_len, "current length for dynamic methods (default: the training length)");
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    return {app, [o] { return run_rope(*o); }};
}

}  // namespace xl::cli
