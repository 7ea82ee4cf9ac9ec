// `extrapolab compare`: two configurations (a baseline spec and a method spec) on the same windows
// of a text: mean loss of each and the per-position loss difference (method − base), plus the
// KL divergence KL(P_base ‖ P_method) per position when full logits are available (core/metrics/compare.hpp).
// With --cpu the logits come from the scalar reference pass; a backend without all-logits output
// gets the loss difference only, and the output says so.
#include <cmath>
#include <cstdio>
#include <memory>
#include <sstream>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/metrics/compare.hpp"
#include "core/metrics/logits_source.hpp"
#include "core/metrics/protocol.hpp"
#include "core/metrics/text_stream.hpp"
#include "core/model/tokenizer.hpp"

namespace xl::cli {

namespace {

struct CompareOptions {
    std::string model, tokenizer, text, base = "none", method, format = "table", out;
    int length = 512, windows = 1, device = -1, train_ctx = 0;
    bool cpu = false;
};

const char* kNoKl = "KL divergence not computed: this backend does not return all logits (use --cpu)";

// True when the backend fills ForwardResult::all_logits (probed with a two-token run).
bool backend_has_all_logits(Forward& fwd, const Model& model, const std::vector<int>& tokens) {
    ForwardRequest req;
    req.tokens.assign(tokens.begin(), tokens.begin() + 2);
    req.plan = make_plan(parse_method_spec("none"), model.config, 2);
    req.want_nll = false;
    req.want_all_logits = true;
    return !fwd.run(req).all_logits.empty();
}

std::string num(double v) {
    if (!std::isfinite(v)) return "nan";
    char b[32];
    std::snprintf(b, sizeof b, "%.6f", v);
    return b;
}

struct Labels {
    std::string base, method, device;
};

std::string format_table(const ConfigComparison& c, bool kl, const Labels& l) {
    std::ostringstream s;
    s << "device: " << l.device << "\nbase: " << l.base << "\nmethod: " << l.method << "\nlength: " << c.length
      << "  windows: " << c.windows << "\n";
    s << "mean loss base: " << num(c.diff.mean_a) << "  method: " << num(c.diff.mean_b)
      << "  diff: " << num(c.diff.mean_diff) << "  method better at: " << num(c.diff.b_better_fraction) << "\n";
    if (kl) s << "mean KL(base || method): " << num(c.mean_kl) << "\n";
    else s << kNoKl << "\n";
    s << "\nposition  loss_base  loss_method       diff" << (kl ? "         kl" : "") << "\n";
    for (int p = 1; p < c.length; ++p) {
        char b[128];
        std::snprintf(b, sizeof b, "%8d %10s %12s %10s", p, num(c.loss_base[p]).c_str(), num(c.loss_cfg[p]).c_str(),
                      num(c.diff.diff[p]).c_str());
        s << b;
        if (kl) { std::snprintf(b, sizeof b, " %10s", num(c.kl[p]).c_str()); s << b; }
        s << "\n";
    }
    return s.str();
}

std::string format_csv(const ConfigComparison& c, bool kl) {
    std::ostringstream s;
    s << "position,loss_base,loss_method,diff" << (kl ? ",kl" : "") << "\n";
    for (int p = 1; p < c.length; ++p) {
        s << p << "," << num(c.loss_base[p]) << "," << num(c.loss_cfg[p]) << "," << num(c.diff.diff[p]);
        if (kl) s << "," << num(c.kl[p]);
        s << "\n";
    }
    return s.str();
}

nlohmann::json to_json(const ConfigComparison& c, bool kl, const Labels& l) {
    nlohmann::json j = {{"device", l.device}, {"base", l.base}, {"method", l.method}, {"length", c.length},
                        {"windows", c.windows}, {"mean_loss_base", json_number(c.diff.mean_a)},
                        {"mean_loss_method", json_number(c.diff.mean_b)}, {"mean_diff", json_number(c.diff.mean_diff)},
                        {"method_better_fraction", json_number(c.diff.b_better_fraction)}, {"kl_available", kl}};
    if (kl) j["mean_kl"] = json_number(c.mean_kl);
    else j["note"] = kNoKl;
    nlohmann::json pos = nlohmann::json::array();
    for (int p = 1; p < c.length; ++p) {
        nlohmann::json r = {{"position", p}, {"loss_base", json_number(c.loss_base[p])},
                            {"loss_method", json_number(c.loss_cfg[p])}, {"diff", json_number(c.diff.diff[p])}};
        if (kl) r["kl"] = json_number(c.kl[p]);
        pos.push_back(r);
    }
    j["positions"] = pos;
    return j;
}

// Mean NLL at each window position over the windows of the "all" protocol, each window's first
// token replaced by BOS when there is one — the windows and losses compare_configurations uses.
std::vector<double> position_loss(Forward& fwd, const std::vector<int>& tokens, int length, int max_windows,
                                  int bos, const PlanBuilder& make, NllStats& stats, int& windows) {
    const auto ws = plan_windows(parse_protocol("all"), int64_t(tokens.size()), length, max_windows);
    if (ws.empty()) throw Error(ErrorKind::BadArgument, std::to_string(length), "no window of this length fits the text");
    std::vector<double> sum(size_t(length), 0.0);
    ForwardRequest req;
    req.plan = make(length);
    for (const ScoreWindow& w : ws) {
        req.tokens.assign(tokens.begin() + w.start, tokens.begin() + w.start + length);
        if (bos >= 0) req.tokens[0] = bos;
        const ForwardResult r = fwd.run(req);
        for (int p = 1; p < length; ++p) { sum[size_t(p)] += r.nll[size_t(p - 1)]; stats.add(r.nll[size_t(p - 1)]); }
    }
    windows = int(ws.size());
    for (int p = 0; p < length; ++p) sum[size_t(p)] = p == 0 ? std::nan("") : sum[size_t(p)] / windows;
    return sum;
}

// Loss-only comparison through the backend's per-token NLL (no logits needed; KL left NaN).
ConfigComparison compare_losses(Forward& fwd, const std::vector<int>& tokens, const CompareOptions& o, int bos,
                                const PlanBuilder& base_plan, const PlanBuilder& cfg_plan) {
    ConfigComparison c;
    c.length = o.length;
    c.loss_base = position_loss(fwd, tokens, o.length, o.windows, bos, base_plan, c.base_stats, c.windows);
    c.loss_cfg = position_loss(fwd, tokens, o.length, o.windows, bos, cfg_plan, c.cfg_stats, c.windows);
    c.diff = loss_difference(c.loss_base, c.loss_cfg);
    c.kl.assign(size_t(o.length), std::nan(""));
    c.mean_kl = std::nan("");
    return c;
}

int run_compare(const CompareOptions& o) {
    if (o.length < 2) throw Error(ErrorKind::BadArgument, "--length " + std::to_string(o.length), "must be >= 2");
    if (o.windows < 1) throw Error(ErrorKind::BadArgument, "--windows " + std::to_string(o.windows), "must be >= 1");
    if (o.method.empty()) throw Error(ErrorKind::BadArgument, "--method", "a method spec is required");
    const MethodSpec base = parse_method_spec(o.base);
    const MethodSpec method = parse_method_spec(o.method);

    LoadedModel lm = load_cli_model(o.model, o.tokenizer, o.train_ctx);
    std::string text_path = o.text;
    if (text_path.empty()) {
        text_path = find_assets().text();
        if (text_path.empty()) throw Error(ErrorKind::BadFile, "assets", "bundled text not found (pass --text)");
    }
    const TokenStream stream = load_token_stream(text_path, *lm.model.tokenizer);
    const ModelConfig& cfg = lm.model.config;
    (void)make_plan(base, cfg, o.length);  // a spec the model cannot use fails before any forward pass
    (void)make_plan(method, cfg, o.length);
    if (int64_t(stream.tokens.size()) < o.length)
        throw Error(ErrorKind::BadArgument, text_path,
                    "has " + std::to_string(stream.tokens.size()) + " tokens, fewer than --length " +
                        std::to_string(o.length));
    std::unique_ptr<Forward> fwd = make_backend(lm.model, o.cpu, o.device);
    info("device: " + fwd->device_name());

    PlanBuilder base_plan = [&](int n) { return make_plan(base, cfg, n); };
    PlanBuilder cfg_plan = [&](int n) { return make_plan(method, cfg, n); };
    const int bos = lm.model.tokenizer->bos();
    bool kl = true;
    ConfigComparison c;
    if (backend_has_all_logits(*fwd, lm.model, stream.tokens))
        c = compare_configurations(forward_logits(*fwd), stream.tokens, o.length, o.windows, bos, base_plan, cfg_plan);
    else if (o.cpu)
        c = compare_configurations(reference_logits(lm.model), stream.tokens, o.length, o.windows, bos, base_plan,
                                   cfg_plan);
    else {
        kl = false;
        info(kNoKl);
        c = compare_losses(*fwd, stream.tokens, o, bos, base_plan, cfg_plan);
    }

    const Labels l{base.canonical(), method.canonical(), fwd->device_name()};
    std::string text;
    if (o.format == "json") text = json_text(to_json(c, kl, l));
    else if (o.format == "csv") text = format_csv(c, kl);
    else text = format_table(c, kl, l);
    emit_output(text, o.out);
    return 0;
}

}  // namespace

Command add_compare_command(CLI::App& root) {
    auto o = std::make_shared<CompareOptions>();
    CLI::App* app = root.add_subcommand("compare", "Per-position loss difference (and KL) between two configurations");
    app->add_option("--model", o->model, "model file: GGUF, llama2.c .bin, .pth (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file (llama2.c tokenizer.bin; required for .bin models)");
    app->add_option("--text", o->text, "UTF-8 text (default: bundled TinyStories sample)");
    app->add_option("--base", o->base, "baseline position method spec")->capture_default_str();
    app->add_option("--method", o->method, "position method spec compared against the baseline, e.g. yarn:s=4")
        ->required();
    app->add_option("--length", o->length, "window length in tokens")->capture_default_str();
    app->add_option("--windows", o->windows, "number of consecutive windows")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json", "csv"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "use the scalar CPU reference (also gives the KL divergence)");
    app->add_option("--train-ctx", o->train_ctx, "override the model's training context length");
    return {app, [o] { return run_compare(*o); }};
}

}  // namespace xl::cli
