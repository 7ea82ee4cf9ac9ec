// Output formats of `extrapolab logits` (cmd_logits.cpp): per method a table of logit quantiles
// per distance bucket (all layers together) and the per-layer spread; JSON with every layer's
// buckets; CSV with one row per method × layer × bucket (layer −1 = all layers).
#pragma once
#include <string>
#include <vector>

#include "core/metrics/logit_spread.hpp"

namespace xl::cli {

struct LogitsRun {
    std::string method;            // canonical spec
    std::string convention;        // the plan's convention
    LogitSpread spread;
    double seconds = 0;            // the forward pass that counted the logits (no classifier)
};

struct LogitsHeader {
    std::string model, model_path, text, device;
    int text_tokens = 0;
};

std::string logits_table(const LogitsHeader& h, const std::vector<LogitsRun>& runs);
std::string logits_json(const LogitsHeader& h, const std::vector<LogitsRun>& runs);
std::string logits_csv(const std::vector<LogitsRun>& runs);

}  // namespace xl::cli
