#include "app/cli/posvec_format.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/cli/cli_common.hpp"

namespace xl::cli {

namespace {

std::string num(double v, const char* fmt = "%.4f") { return format_number(v, fmt); }

double explained(const LayerPositionalVectors& l, size_t i) { return i < l.explained.size() ? l.explained[i] : NAN; }

}  // namespace

std::string posvec_table(const PosvecHeader& h, const std::vector<PosvecRun>& runs) {
    std::ostringstream s;
    const PositionalVectors& f = runs.front().pv;
    s << "model: " << h.model << " (" << h.model_path << ")\ndevice: " << h.device << "\ntext: " << h.text << " ("
      << h.text_tokens << " tokens)\n";
    s << "positional vectors: mean over " << f.windows << " windows of " << f.length
      << " tokens (BOS first) of the residual stream after each block; PCA centred across positions, fitted on "
         "positions "
      << f.fit_from << ".." << f.fitted - 1 << " (training length " << f.train_length
      << "; position 0 is BOS in every window), all positions projected\n"
      << "noise: share of the fitted variance that averaging " << f.windows
      << " windows leaves as content noise (tr Cov / W); near 1 means more windows are needed\n";
    for (const PosvecRun& r : runs) {
        s << "\nmethod: " << r.method << (r.convention.empty() ? "" : "  [convention " + r.convention + "]")
          << "  forward " << num(r.forward_seconds, "%.2f") << " s, analysis " << num(r.analysis_seconds, "%.2f")
          << " s\n";
        s << "layer  norm_in  norm_beyond    ev1    ev2    ev3  ev_sum  beyond_in_plane  noise\n";
        for (const LayerPositionalVectors& l : r.pv.layers) {
            double sum = 0;
            for (double e : l.explained) sum += e;
            char b[160];
            std::snprintf(b, sizeof b, "%5d %8s %12s %6s %6s %6s %7s %16s %6s%s\n", l.layer, num(l.norm_inside, "%.3f").c_str(),
                          num(l.norm_beyond, "%.3f").c_str(), num(explained(l, 0), "%.3f").c_str(),
                          num(explained(l, 1), "%.3f").c_str(), num(explained(l, 2), "%.3f").c_str(),
                          num(sum, "%.3f").c_str(), num(l.beyond_in_plane, "%.3f").c_str(), num(l.noise_share, "%.3f").c_str(),
                          l.converged ? "" : "  (PCA not converged)");
            s << b;
        }
    }
    return s.str();
}

std::string posvec_json(const PosvecHeader& h, const std::vector<PosvecRun>& runs) {
    const PositionalVectors& f = runs.front().pv;
    nlohmann::json j = {{"model", h.model}, {"model_path", h.model_path}, {"device", h.device}, {"text", h.text},
                        {"text_tokens", h.text_tokens}, {"length", f.length}, {"windows", f.windows},
                        {"train_length", f.train_length}, {"fitted_positions", f.fitted}, {"fit_from", f.fit_from}, {"dim", f.dim},
                        {"window_rule", "consecutive non-overlapping windows, first token replaced by BOS"}};
    nlohmann::json methods = nlohmann::json::array();
    for (const PosvecRun& r : runs) {
        nlohmann::json layers = nlohmann::json::array();
        for (const LayerPositionalVectors& l : r.pv.layers) {
            nlohmann::json pcs = nlohmann::json::array(), ev = nlohmann::json::array();
            for (const auto& pc : l.pc) pcs.push_back(pc);
            for (double e : l.explained) ev.push_back(e);
            layers.push_back({{"layer", l.layer}, {"norm_inside", json_number(l.norm_inside)}, {"norm_beyond", json_number(l.norm_beyond)},
                              {"explained", ev}, {"beyond_in_plane", json_number(l.beyond_in_plane)},
                              {"noise_share", json_number(l.noise_share)},
                              {"pca_converged", l.converged}, {"norm", l.norm}, {"pc", pcs}});
        }
        methods.push_back({{"method", r.method}, {"convention", r.convention}, {"forward_seconds", r.forward_seconds},
                           {"analysis_seconds", r.analysis_seconds}, {"layers", layers}});
    }
    j["methods"] = methods;
    return json_text(j);
}

std::string posvec_csv(const std::vector<PosvecRun>& runs) {
    std::ostringstream s;
    size_t k = 0;
    for (const PosvecRun& r : runs)
        for (const LayerPositionalVectors& l : r.pv.layers) k = std::max(k, l.pc.size());
    s << "method,layer,position,norm";
    for (size_t i = 0; i < k; ++i) s << ",pc" << i + 1;
    s << "\n";
    for (const PosvecRun& r : runs)
        for (const LayerPositionalVectors& l : r.pv.layers)
            for (size_t t = 0; t < l.norm.size(); ++t) {
                s << '"' << r.method << "\"," << l.layer << "," << t << "," << num(l.norm[t], "%.6g");
                for (size_t i = 0; i < k; ++i) s << "," << (i < l.pc.size() ? num(l.pc[i][t], "%.6g") : "");
                s << "\n";
            }
    return s.str();
}

}  // namespace xl::cli
