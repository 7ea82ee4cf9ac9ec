// Test helper for the peer agreement tests (tests/test_peers_*.cpp): reads a golden file written
// by tools/peers/*.py (tests/golden/<name>.json: the peer's versions, token ids, one run per
// position method with its parameters and per-token NLL) and compares extrapolab's per-token NLL
// with a run's.
//
//   const PeerGolden g = load_peer_golden("llamacpp_smollm2");
//   const NllAgreement a = compare_nll(result.nll, g.runs[0].nll);   // a.mean_abs, a.max_abs, a.ppl_ratio
#pragma once
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/forward/forward.hpp"
#include "core/model/model.hpp"
#include "core/posenc/method.hpp"

namespace xl::test {

struct PeerRun {
    std::string name;        // "none", "linear", "yarn", ...
    nlohmann::json params;   // the peer's own parameters (llama.cpp context params / HF config keys)
    std::vector<double> nll; // nll[i] = −log p(tokens[i+1] | tokens[0..i])
    double seconds = 0;      // the peer's time for the run (as recorded)
};

struct PeerGolden {
    std::string name;        // "llamacpp_smollm2"
    nlohmann::json doc;      // the whole file
    std::vector<int> tokens;
    std::vector<PeerRun> runs;
    std::string versions;    // the peer's versions, as JSON text (for messages)
};

inline std::string golden_path(const std::string& name) {
    return std::string(XL_SOURCE_DIR) + "/tests/golden/" + name + ".json";
}

// Reads tests/golden/<name>.json; `params_key` names the per-run parameter object.
inline PeerGolden load_peer_golden(const std::string& name, const std::string& params_key) {
    std::ifstream f(golden_path(name));
    REQUIRE_MESSAGE(f.good(), golden_path(name) << " is missing (tools/peers/ writes it)");
    PeerGolden g;
    g.name = name;
    g.doc = nlohmann::json::parse(f);
    g.tokens = g.doc.at("tokens").get<std::vector<int>>();
    g.versions = g.doc.at("versions").dump();
    for (const auto& r : g.doc.at("runs")) {
        PeerRun run{r.at("name").get<std::string>(), r.at(params_key), r.at("nll").get<std::vector<double>>(),
                    r.value("seconds", 0.0)};
        REQUIRE(run.nll.size() + 1 == g.tokens.size());
        g.runs.push_back(std::move(run));
    }
    REQUIRE(!g.runs.empty());
    return g;
}

// One pass over the golden's token ids under `spec`: the per-token NLL (and the pass's
// `seconds`) that the peer tests compare with a run.
inline ForwardResult run_golden(Forward& f, const Model& model, const PeerGolden& g, const std::string& spec) {
    ForwardRequest req;
    req.tokens = g.tokens;
    req.plan = make_plan(parse_method_spec(spec), model.config, int(g.tokens.size()));
    return f.run(req);
}

inline const PeerRun& find_run(const PeerGolden& g, const std::string& name) {
    for (const PeerRun& r : g.runs)
        if (r.name == name) return r;
    FAIL(g.name << " has no run '" << name << "'");
    return g.runs.front();
}

struct NllAgreement {
    double mean_abs = 0;    // mean |Δ nll| (nats)
    double max_abs = 0;     // max |Δ nll|
    int worst = -1;         // index of the max
    double mean_delta = 0;  // mean (ours − peer): the log of the perplexity ratio
    double ppl_ratio = 1;   // perplexity(ours) / perplexity(peer)
    size_t non_finite = 0;  // our non-finite values
};

// Compares the first min(ours, peer) positions (a causal model's NLL at i depends only on the
// tokens up to i + 1, so a prefix of the peer's run is a valid reference).
inline NllAgreement compare_nll(const std::vector<float>& ours, const std::vector<double>& peer) {
    const size_t n = std::min(ours.size(), peer.size());
    NllAgreement a;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(ours[i])) { ++a.non_finite; continue; }
        const double d = double(ours[i]) - peer[i];
        a.mean_abs += std::fabs(d) / double(n);
        a.mean_delta += d / double(n);
        if (std::fabs(d) > a.max_abs) { a.max_abs = std::fabs(d); a.worst = int(i); }
    }
    a.ppl_ratio = std::exp(a.mean_delta);
    return a;
}

// `spec` applied to Gemma 3's global (full-attention) layers only, as llama.cpp (rope_freq_scale
// reaches non-SWA layers only) and Hugging Face (rope_parameters["full_attention"]) both do: the
// generic spec key `layers=global` on the first component (the sliding-window layers keep plain
// RoPE at their own base and window).
inline std::string on_global_layers(const std::string& spec) {
    const size_t plus = spec.find('+');
    std::string first = spec.substr(0, plus);
    const std::string tail = plus == std::string::npos ? "" : spec.substr(plus);
    first += (first.find(':') == std::string::npos ? ":" : ",") + std::string("layers=global");
    return first + tail;
}

inline double mean_of(const std::vector<double>& v, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; ++i) s += v[i];
    return s / double(n);
}

}  // namespace xl::test
