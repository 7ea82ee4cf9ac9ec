#include "app/cli/logits_format.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "app/cli/cli_common.hpp"

namespace xl::cli {

namespace {

std::string num(double v, const char* fmt = "%.2f") { return format_number(v, fmt); }

std::string range(const LogitBucket& b) {
    return b.first == b.last ? std::to_string(b.first) : std::to_string(b.first) + "-" + std::to_string(b.last);
}

const char* kResolution =
    "quantiles from 0.25-wide bins over [-32, 32), interpolated in the bin: each within 0.25 of the exact quantile "
    "(* = some logits outside the range, counted in the end bins)";

}  // namespace

std::string logits_table(const LogitsHeader& h, const std::vector<LogitsRun>& runs) {
    std::ostringstream s;
    const LogitSpread& f = runs.front().spread;
    s << "model: " << h.model << " (" << h.model_path << ")\ndevice: " << h.device << "\ntext: " << h.text << " ("
      << h.text_tokens << " tokens)\n";
    s << "attention logits: query_scale * (q . k) of every head and visible pair (ALiBi bias left out), first " << f.n
      << " tokens, training length " << f.train_length << "\n" << kResolution << "\n";
    for (const LogitsRun& r : runs) {
        s << "\nmethod: " << r.method << (r.convention.empty() ? "" : "  [convention " + r.convention + "]") << "  pass "
          << num(r.seconds, "%.2f") << " s\n";
        s << "all layers   distance      logits     q01     q25  median     q75     q99  q99-q01\n";
        for (const LayerLogitSpread& l : r.spread.layers) {
            if (l.layer >= 0) continue;
            for (const LogitBucket& b : l.buckets) {
                char line[200];
                std::snprintf(line, sizeof line, "%10s %10s %11lld %7s %7s %7s %7s %7s %8s%s\n", b.beyond_train ? "beyond" : "",
                              range(b).c_str(), (long long)b.count, num(b.q[0]).c_str(), num(b.q[1]).c_str(),
                              num(b.q[2]).c_str(), num(b.q[3]).c_str(), num(b.q[4]).c_str(), num(b.q[4] - b.q[0]).c_str(),
                              b.clamped ? " *" : "");
                s << line;
            }
        }
        s << "layer  spread_inside  spread_farthest  median_farthest\n";
        for (const LayerLogitSpread& l : r.spread.layers) {
            if (l.layer < 0) continue;
            const double med = l.buckets.empty() ? NAN : l.buckets.back().q[2];
            char line[120];
            std::snprintf(line, sizeof line, "%5d %14s %16s %16s\n", l.layer, num(l.spread_inside).c_str(),
                          num(l.spread_farthest).c_str(), num(med).c_str());
            s << line;
        }
    }
    return s.str();
}

std::string logits_json(const LogitsHeader& h, const std::vector<LogitsRun>& runs) {
    const LogitSpread& f = runs.front().spread;
    nlohmann::json j = {{"model", h.model}, {"model_path", h.model_path}, {"device", h.device}, {"text", h.text},
                        {"text_tokens", h.text_tokens}, {"length", f.n}, {"train_length", f.train_length},
                        {"logit", "query_scale * (q . k), ALiBi bias left out"},
                        {"quantiles", kLogitQuantiles}, {"resolution", kResolution}};
    nlohmann::json methods = nlohmann::json::array();
    for (const LogitsRun& r : runs) {
        nlohmann::json layers = nlohmann::json::array();
        for (const LayerLogitSpread& l : r.spread.layers) {
            nlohmann::json buckets = nlohmann::json::array();
            for (const LogitBucket& b : l.buckets) {
                nlohmann::json q = nlohmann::json::array();
                for (double v : b.q) q.push_back(json_number(v));
                buckets.push_back({{"bucket", b.bucket}, {"first", b.first}, {"last", b.last}, {"count", b.count},
                                   {"q", q}, {"mean", json_number(b.mean)}, {"clamped", b.clamped},
                                   {"beyond_train", b.beyond_train}});
            }
            layers.push_back({{"layer", l.layer}, {"spread_inside", json_number(l.spread_inside)},
                              {"spread_farthest", json_number(l.spread_farthest)}, {"buckets", buckets}});
        }
        methods.push_back({{"method", r.method}, {"convention", r.convention}, {"seconds", r.seconds}, {"layers", layers}});
    }
    j["methods"] = methods;
    return json_text(j);
}

std::string logits_csv(const std::vector<LogitsRun>& runs) {
    std::ostringstream s;
    s << "method,layer,bucket,first,last,count,q01,q25,q50,q75,q99,mean,clamped,beyond_train\n";
    for (const LogitsRun& r : runs)
        for (const LayerLogitSpread& l : r.spread.layers)
            for (const LogitBucket& b : l.buckets) {
                s << '"' << r.method << "\"," << l.layer << "," << b.bucket << "," << b.first << "," << b.last << ","
                  << b.count;
                for (double v : b.q) s << "," << num(v, "%.4f");
                s << "," << num(b.mean, "%.4f") << "," << (b.clamped ? 1 : 0) << "," << (b.beyond_train ? 1 : 0) << "\n";
            }
    return s.str();
}

}  // namespace xl::cli
