// Output formats of `extrapolab needle` (cmd_needle.cpp): a table per method (one line per
// task × length × depth cell, then the retrieval heads), JSON with every per-head array, and
// CSV with one row per method × cell × layer × head.
#pragma once
#include <string>
#include <vector>

#include "core/metrics/needle.hpp"

namespace xl::cli {

struct NeedleRun {
    std::string method;            // canonical spec
    std::string convention;        // the plan's convention
    NeedleGrid grid;
};

struct NeedleHeader {
    std::string model, model_path, device;
    int train_length = 0;
};

// The `count` heads with the highest score, "L14.H3 0.93, L7.H1 0.60" (zero and NaN scores left out).
std::string top_heads(const std::vector<double>& score, int heads, int count);

std::string needle_table(const NeedleHeader& h, const std::vector<NeedleRun>& runs);
std::string needle_json(const NeedleHeader& h, const std::vector<NeedleRun>& runs);
std::string needle_csv(const std::vector<NeedleRun>& runs);

}  // namespace xl::cli
