// `extrapolab bench`: wall time of one forward pass including the per-token losses
// (Forward::run as the eval sweep calls it) at several lengths, repeated; median, min and
// tokens/s per length, the device, and optionally the CPU reference on the same inputs.
// --synthetic NAME measures random weights in a real model's shape (core/metrics/synthetic_model).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "app/cli/cli_common.hpp"
#include "app/cli/commands.hpp"
#include "core/error.hpp"
#include "core/model/tensor_types.hpp"
#include "core/forward/vulkan_forward.hpp"
#include "core/gpu/context.hpp"
#include "core/metrics/synthetic_model.hpp"
#include "core/ref/cpu_forward.hpp"

namespace xl::cli {

namespace {

struct BenchOptions {
    std::string model, tokenizer, synthetic, weights = "f16", lengths = "512,1024,2048,4096", method = "none";
    std::string format = "table", out;
    int repeats = 5, device = -1;
    bool cpu = false, cpu_peer = false, profile = false;
};

using Sections = std::vector<std::pair<std::string, double>>;  // GPU ms per section of one run

// One extra run with timestamp queries on (Vulkan only; empty otherwise).
Sections profile_run(Forward& f, const ForwardRequest& req) {
    auto* gpu = dynamic_cast<VulkanForward*>(&f);
    if (!gpu) return {};
    gpu->set_profiling(true);
    (void)gpu->run(req);
    gpu->set_profiling(false);
    return gpu->last_timings();
}

struct Timing {
    std::vector<double> runs;  // seconds, after one warm-up run
    double median() const {
        std::vector<double> s = runs;
        std::sort(s.begin(), s.end());
        return s.size() % 2 ? s[s.size() / 2] : 0.5 * (s[s.size() / 2 - 1] + s[s.size() / 2]);
    }
    double min() const { return *std::min_element(runs.begin(), runs.end()); }
};

Timing time_runs(Forward& f, const ForwardRequest& req, int repeats) {
    (void)f.run(req);  // warm-up: pipelines, first-touch allocations
    Timing t;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const ForwardResult out = f.run(req);
        const auto t1 = std::chrono::steady_clock::now();
        if (out.nll.size() + 1 != req.tokens.size())
            throw Error(ErrorKind::Device, f.device_name(), "forward pass returned the wrong number of losses");
        t.runs.push_back(std::chrono::duration<double>(t1 - t0).count());
    }
    return t;
}

// Synthetic weight types: those core/model/quantize_rtn writes.
const std::vector<std::string> kSyntheticWeights = {"f32", "f16", "bf16", "q4_0", "q4_1", "q8_0", "q4_k", "q6_k"};

TensorType weight_type(const std::string& s) {
    for (const TensorTypeInfo& t : tensor_types())
        if (t.variant == s) return t.type;
    throw Error(ErrorKind::BadArgument, s, "unknown weight type");
}

struct Row {
    int length;
    Timing main, peer;
    Sections sections;
};

std::string bench_text(const std::string& model, const std::string& device, const std::string& peer_device,
                       const std::string& method, int repeats, const std::vector<Row>& rows) {
    std::ostringstream o;
    char buf[256];
    o << "model: " << model << "\ndevice: " << device << "\nmethod: " << method << "\nmeasured: Forward::run "
      << "with per-token losses, median of " << repeats << " runs after one warm-up\n\n";
    o << "  length   median ms      min ms    tokens/s";
    if (!peer_device.empty()) o << "   " << peer_device << " median ms   ratio";
    o << "\n";
    for (const Row& r : rows) {
        std::snprintf(buf, sizeof buf, "%8d  %10.2f  %10.2f  %10.0f", r.length, 1e3 * r.main.median(),
                      1e3 * r.main.min(), r.length / r.main.median());
        o << buf;
        if (!r.peer.runs.empty()) {
            std::snprintf(buf, sizeof buf, "   %*.2f  %6.2fx", int(peer_device.size()) + 10, 1e3 * r.peer.median(),
                          r.peer.median() / r.main.median());
            o << buf;
        }
        o << "\n";
    }
    for (const Row& r : rows) {
        if (r.sections.empty()) continue;
        o << "\nGPU time per section at L=" << r.length << " (timestamp queries, one run):\n";
        for (const auto& [name, ms] : r.sections) {
            std::snprintf(buf, sizeof buf, "  %-28s %10.3f ms\n", name.c_str(), ms);
            o << buf;
        }
    }
    return o.str();
}

nlohmann::json bench_json(const std::string& model, const std::string& device, const std::string& peer_device,
                          const std::string& method, int repeats, const std::vector<Row>& rows) {
    nlohmann::json j = {{"tool", "extrapolab bench"}, {"model", model}, {"device", device}, {"method", method},
                        {"repeats", repeats}, {"measured", "Forward::run with per-token losses, after one warm-up"}};
    if (!peer_device.empty()) j["peer_device"] = peer_device;
    nlohmann::json rs = nlohmann::json::array();
    for (const Row& r : rows) {
        nlohmann::json x = {{"length", r.length}, {"median_s", r.main.median()}, {"min_s", r.main.min()},
                            {"tokens_per_s", r.length / r.main.median()}, {"runs_s", r.main.runs}};
        if (!r.sections.empty()) {
            nlohmann::json sec = nlohmann::json::array();
            for (const auto& [name, ms] : r.sections) sec.push_back({{"section", name}, {"ms", ms}});
            x["gpu_sections"] = std::move(sec);
        }
        if (!r.peer.runs.empty())
            x["peer"] = {{"median_s", r.peer.median()}, {"min_s", r.peer.min()}, {"runs_s", r.peer.runs},
                         {"ratio", r.peer.median() / r.main.median()}};
        rs.push_back(std::move(x));
    }
    j["results"] = std::move(rs);
    return j;
}

int run_bench(const BenchOptions& o) {
    if (o.repeats < 1) throw Error(ErrorKind::BadArgument, "--repeats", "must be at least 1");
    const std::vector<int> lengths = parse_int_list(o.lengths, "--lengths");
    const MethodSpec spec = parse_method_spec(o.method);
    Model model;
    std::string model_name;
    if (!o.synthetic.empty()) {
        info("building random weights for " + o.synthetic + " (" + o.weights + ") ...");
        model = make_synthetic_model(o.synthetic, weight_type(o.weights));
        model_name = model.path + " " + o.weights;
    } else {
        LoadedModel lm = load_cli_model(o.model, o.tokenizer);
        model = std::move(lm.model);
        model_name = model.config.name + " (" + lm.path + ")";
    }
    std::unique_ptr<Forward> fwd = make_backend(model, o.cpu, o.device);
    std::unique_ptr<Forward> peer = o.cpu_peer && !o.cpu ? std::make_unique<CpuForward>(model) : nullptr;
    info("device: " + fwd->device_name());
    if (auto* gpu = dynamic_cast<VulkanForward*>(fwd.get())) info("compute: " + gpu->context().compute_path());
    for (int L : lengths)
        if (L < 2 || int64_t(L) > fwd->max_tokens())
            throw Error(ErrorKind::OutOfMemory, "length " + std::to_string(L),
                        "too long for " + fwd->device_name() + " (at most " + std::to_string(fwd->max_tokens()) +
                            " tokens per forward pass)");
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> pick(3, model.config.vocab_size - 1);
    std::vector<Row> rows;
    for (int L : lengths) {
        ForwardRequest req;
        req.tokens.resize(size_t(L));
        for (int& t : req.tokens) t = pick(rng);
        req.tokens[0] = 1;
        req.plan = make_plan(spec, model.config, L);
        Row r{L, time_runs(*fwd, req, o.repeats), {}, {}};
        if (o.profile) r.sections = profile_run(*fwd, req);
        std::fprintf(stderr, "L=%d: median %.2f ms\n", L, 1e3 * r.main.median());
        if (peer) r.peer = time_runs(*peer, req, o.repeats);
        rows.push_back(std::move(r));
    }
    const std::string peer_name = peer ? peer->device_name() : "";
    emit_output(o.format == "json" ? json_text(bench_json(model_name, fwd->device_name(), peer_name,
                                                          spec.canonical(), o.repeats, rows))
                                   : bench_text(model_name, fwd->device_name(), peer_name, spec.canonical(),
                                                o.repeats, rows),
                o.out);
    return 0;
}

}  // namespace

Command add_bench_command(CLI::App& root) {
    auto o = std::make_shared<BenchOptions>();
    std::string shapes;
    for (const auto& [name, about] : synthetic_shapes()) shapes += "\n  " + name + ": " + about;
    CLI::App* app = root.add_subcommand("bench", "Time the forward pass (with losses) at several lengths");
    app->add_option("--model", o->model, "model file (default: bundled stories260K)");
    app->add_option("--tokenizer", o->tokenizer, "tokenizer file for llama2.c checkpoints");
    app->add_option("--synthetic", o->synthetic, "random weights in a named shape instead of a file:" + shapes);
    app->add_option("--weights", o->weights, "storage type of synthetic weights")->capture_default_str()
        ->check(CLI::IsMember(kSyntheticWeights));
    app->add_option("--lengths", o->lengths, "comma-separated token counts")->capture_default_str();
    app->add_option("--repeats", o->repeats, "timed runs per length (after one warm-up)")->capture_default_str();
    app->add_option("--method", o->method, "position method spec")->capture_default_str();
    app->add_option("--format", o->format, "output format")->capture_default_str()->check(CLI::IsMember({"table", "json"}));
    app->add_option("--out", o->out, "write the output to this file instead of stdout (atomically)");
    app->add_option("--device", o->device, "Vulkan device index (default: automatic choice)");
    app->add_flag("--cpu", o->cpu, "time the scalar CPU reference instead of Vulkan");
    app->add_flag("--cpu-peer", o->cpu_peer, "also time the CPU reference and print the ratio");
    app->add_flag("--profile", o->profile, "one more run per length with GPU timestamps per section");
    return {app, [o] { return run_bench(*o); }};
}

}  // namespace xl::cli
