// Output formats of `extrapolab posvec` (cmd_posvec.cpp): a summary table per method × layer,
// JSON with every array, and CSV with one row per method × layer × position.
#pragma once
#include <string>
#include <vector>

#include "core/metrics/positional_vectors.hpp"

namespace xl::cli {

struct PosvecRun {
    std::string method;            // canonical spec
    std::string convention;        // the plan's convention
    PositionalVectors pv;
    double forward_seconds = 0;    // the windows' forward passes (hidden states only, no classifier)
    double analysis_seconds = 0;   // norms and PCA of every layer
};

struct PosvecHeader {
    std::string model, model_path, text, device;
    int text_tokens = 0;
};

std::string posvec_table(const PosvecHeader& h, const std::vector<PosvecRun>& runs);
std::string posvec_json(const PosvecHeader& h, const std::vector<PosvecRun>& runs);
std::string posvec_csv(const std::vector<PosvecRun>& runs);

}  // namespace xl::cli
