#include "app/cli/evict_format.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "app/cli/cli_common.hpp"

namespace xl::cli {

namespace {

std::string num(double v, const char* fmt = "%.4f") {
    char b[32];
    std::snprintf(b, sizeof b, fmt, v);
    return b;
}

std::vector<int> budgets_of(const EvictionSweep& s) {
    std::vector<int> b;
    for (const EvictionCell& c : s.cells)
        if (std::find(b.begin(), b.end(), c.budget) == b.end()) b.push_back(c.budget);
    return b;
}

std::string parameters(const EvictionRun& r) {
    std::ostringstream s;
    s << "chunk " << r.chunk << "; streaming sinks " << r.policy.sinks << "; h2o recent share " << r.policy.recent_share
      << "; snapkv observation window " << r.policy.observe << ", max-pool " << r.policy.pool;
    return s.str();
}

}  // namespace

std::string evict_table(const EvictHeader& h, const EvictionSweep& s) {
    std::ostringstream o;
    o << "model: " << h.model << " (" << h.model_path << ")\ndevice: " << h.device << "\ntext: " << h.text << " ("
      << h.text_tokens << " tokens), first " << s.tokens << " evaluated\n"
      << "kv-cache eviction: " << parameters(h.base) << "\n"
      << "positions: reassigned = keys cached before rotation, rotated at their cache slot each step; "
         "original = at their token index\n";
    const std::vector<int> budgets = budgets_of(s);
    for (size_t mi = 0; mi < s.methods.size(); ++mi) {
        o << "\nmethod: " << s.methods[mi] << "  full-context perplexity " << num(s.full_perplexity[mi]) << "\n";
        o << "policy     positions  ";
        for (int b : budgets) {
            char cell[24];
            std::snprintf(cell, sizeof cell, "%10s", ("B=" + std::to_string(b)).c_str());
            o << cell;
        }
        o << "   seconds\n";
        std::vector<std::pair<EvictionPolicy, PositionBookkeeping>> rows;
        for (const EvictionCell& c : s.cells)
            if (c.method == s.methods[mi] &&
                std::find(rows.begin(), rows.end(), std::make_pair(c.policy, c.positions)) == rows.end())
                rows.push_back({c.policy, c.positions});
        for (const auto& [p, b] : rows) {
            char head[32];
            std::snprintf(head, sizeof head, "%-10s %-10s ", policy_name(p).c_str(), bookkeeping_name(b).c_str());
            o << head;
            double secs = 0;
            for (int budget : budgets)
                for (const EvictionCell& c : s.cells)
                    if (c.method == s.methods[mi] && c.policy == p && c.positions == b && c.budget == budget) {
                        char cell[24];
                        std::snprintf(cell, sizeof cell, "%10s", num(c.perplexity, c.evictions ? "%.4f" : "%.4f*").c_str());
                        o << cell;
                        secs += c.seconds;
                    }
            o << "  " << num(secs, "%8.2f") << "\n";
        }
    }
    o << "\n* = nothing evicted at that budget (equals the full context)\ntotal " << num(s.seconds, "%.2f") << " s\n";
    return o.str();
}

std::string evict_json(const EvictHeader& h, const EvictionSweep& s) {
    nlohmann::json cells = nlohmann::json::array();
    for (const EvictionCell& c : s.cells)
        cells.push_back({{"method", c.method}, {"policy", policy_name(c.policy)}, {"positions", bookkeeping_name(c.positions)},
                         {"budget", c.budget}, {"mean_nll", c.mean_nll}, {"perplexity", c.perplexity},
                         {"evicting_steps", c.evictions}, {"seconds", c.seconds}});
    nlohmann::json methods = nlohmann::json::array();
    for (size_t i = 0; i < s.methods.size(); ++i)
        methods.push_back({{"method", s.methods[i]}, {"full_context_perplexity", s.full_perplexity[i]}});
    const nlohmann::json j = {{"model", h.model}, {"model_path", h.model_path}, {"device", h.device}, {"text", h.text},
                              {"text_tokens", h.text_tokens}, {"tokens", s.tokens}, {"chunk", s.chunk},
                              {"sinks", h.base.policy.sinks}, {"h2o_recent_share", h.base.policy.recent_share},
                              {"snapkv_observe", h.base.policy.observe}, {"snapkv_pool", h.base.policy.pool},
                              {"methods", methods}, {"cells", cells}, {"seconds", s.seconds}};
    return json_text(j);
}

std::string evict_csv(const EvictionSweep& s) {
    std::ostringstream o;
    o << "method,policy,positions,budget,mean_nll,perplexity,full_context_perplexity,evicting_steps,seconds\n";
    for (const EvictionCell& c : s.cells) {
        const size_t mi = size_t(std::find(s.methods.begin(), s.methods.end(), c.method) - s.methods.begin());
        o << '"' << c.method << "\"," << policy_name(c.policy) << "," << bookkeeping_name(c.positions) << "," << c.budget
          << "," << num(c.mean_nll, "%.6f") << "," << num(c.perplexity, "%.6f") << "," << num(s.full_perplexity[mi], "%.6f")
          << "," << c.evictions << "," << num(c.seconds, "%.3f") << "\n";
    }
    return o.str();
}

}  // namespace xl::cli
