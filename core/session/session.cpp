#include "core/session/session.hpp"

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"
#include "core/metrics/needle.hpp"
#include "core/metrics/protocol.hpp"
#include "core/posenc/method.hpp"
#include "core/ref/eviction_policy.hpp"

namespace xl {

char config_label(int index) { return char('A' + index); }

const std::vector<std::string>& all_panel_ids() {
    static const std::vector<std::string> ids = {"model", "method", "perplexity", "attention", "rope_phase",
                                                 "freq_remap", "logit_decay", "alibi", "positions", "entropy",
                                                 "posvec", "evict", "needle", "logit_spread"};
    return ids;
}

bool shows_panel(const Session& s, const std::string& id) {
    return s.panels.empty() || std::find(s.panels.begin(), s.panels.end(), id) != s.panels.end();
}

Session default_session() {
    Session s;
    s.name = "Default: no scaling vs YaRN 4×";
    s.configs = {{"none"}, {"yarn:s=4"}};  // orig: the loaded model's training length
    return s;
}

void validate_plans(const Session& s, const ModelConfig& model, const std::string& subject) {
    for (size_t i = 0; i < s.configs.size(); ++i) {
        if (!s.configs[i].enabled) continue;
        try {
            const MethodSpec spec = parse_method_spec(s.configs[i].method);
            make_plan(spec, model, s.eval_length);
            for (int n : s.lengths) make_plan(spec, model, n);
        } catch (const Error& e) {
            throw Error(ErrorKind::BadArgument, subject, std::string("configuration ") + config_label(int(i)) + " on " +
                                                             model.name + ": " + e.what());
        }
    }
}

void validate_session(const Session& s, const std::string& subject) {
    auto bad = [&](const std::string& m) { throw Error(ErrorKind::BadArgument, subject, m); };
    if (s.configs.empty() || int(s.configs.size()) > kMaxConfigs)
        bad("'configs' must hold 1 to 4 configurations, not " + std::to_string(s.configs.size()));
    for (size_t i = 0; i < s.configs.size(); ++i) {
        try {
            parse_method_spec(s.configs[i].method);
        } catch (const Error& e) {
            bad(std::string("configuration ") + config_label(int(i)) + ": " + e.what());
        }
    }
    if (s.eval_length < 2 || s.eval_length > 65536) bad("'eval_length' must be in 2..65536, not " + std::to_string(s.eval_length));
    if (s.lengths.empty() || s.lengths.size() > 32) bad("'lengths' must hold 1 to 32 lengths");
    for (int L : s.lengths)
        if (L < 2 || L > 65536) bad("each of 'lengths' must be in 2..65536, not " + std::to_string(L));
    try {
        parse_protocol(s.protocol);
    } catch (const Error& e) {
        bad(std::string("'protocol': ") + e.what());
    }
    if (s.max_windows < 0 || s.max_windows > 10000) bad("'max_windows' must be in 0..10000");
    if (s.attention_grid < 8 || s.attention_grid > 1024) bad("'attention_grid' must be in 8..1024");
    if (s.posvec_windows < 1 || s.posvec_windows > 10000) bad("'posvec_windows' must be in 1..10000");
    if (s.evict_tokens < 2 || s.evict_tokens > kEvictMaxTokens)
        bad("'evict_tokens' must be in 2.." + std::to_string(kEvictMaxTokens));
    if (s.evict_cpu && s.evict_tokens > kEvictCpuMaxTokens)
        bad("'evict_tokens' on the CPU reference ('evict_cpu') is capped at " + std::to_string(kEvictCpuMaxTokens) +
            " tokens; the GPU path is bounded by device memory only");
    if (s.evict_budgets.empty()) bad("'evict_budgets' must list at least one budget");
    for (int b : s.evict_budgets)
        if (b < 1 || b > kEvictMaxTokens) bad("'evict_budgets' must be in 1.." + std::to_string(kEvictMaxTokens));
    if (s.evict_chunk < 1 || s.evict_chunk > kEvictMaxTokens) bad("'evict_chunk' must be in 1.." + std::to_string(kEvictMaxTokens));
    if (s.evict_sinks < 0 || s.evict_sinks >= *std::min_element(s.evict_budgets.begin(), s.evict_budgets.end()))
        bad("'evict_sinks' must be >= 0 and below every budget");
    if (s.evict_map_budget < 1 || s.evict_map_budget <= s.evict_sinks) bad("'evict_map_budget' must be above 'evict_sinks'");
    try {
        parse_policy(s.evict_map_policy);
        parse_bookkeeping(s.evict_map_positions);
    } catch (const Error& e) {
        bad(std::string("'evict_map_*': ") + e.what());
    }
    for (int n : s.needle_lengths)
        if (n < 16 || n > (1 << 20)) bad("'needle_lengths' must be in 16..1048576 tokens");
    if (s.needle_depths.empty()) bad("'needle_depths' must list at least one depth");
    for (double d : s.needle_depths)
        if (!(d >= 0 && d <= 1)) bad("'needle_depths' must be fractions in [0, 1]");
    try {
        (void)parse_needle_tasks(s.needle_tasks);
    } catch (const Error& e) {
        bad(std::string("'needle_tasks': ") + e.what());
    }
    for (const std::string& p : s.panels)
        if (std::find(all_panel_ids().begin(), all_panel_ids().end(), p) == all_panel_ids().end())
            bad("unknown panel '" + p + "' (known: model, method, perplexity, attention, rope_phase, freq_remap, "
                "logit_decay, alibi, positions, entropy, posvec, evict, needle, logit_spread)");
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
    namespace fs = std::filesystem;
    if (path.empty() || fs::path(path).is_absolute()) return path;
    std::vector<fs::path> tries;
    if (!base_dir.empty()) {
        tries.push_back(fs::path(base_dir) / path);
        tries.push_back(fs::path(base_dir).parent_path() / path);
    }
    tries.push_back(fs::path(path));
    for (const fs::path& p : tries) {
        std::error_code ec;
        if (fs::exists(p, ec)) return p.lexically_normal().string();
    }
    return tries.front().lexically_normal().string();
}

void follow_training_context(Session& s, const ModelConfig& c) {
    const int t = c.train_context_length > 0 ? c.train_context_length : c.file_context_length;
    if (t < 8) return;
    s.lengths.clear();
    for (const int64_t L : {int64_t(t) / 4, int64_t(t) / 2, int64_t(t), 2 * int64_t(t), 4 * int64_t(t)})
        if (L >= 2 && L <= 65536) s.lengths.push_back(int(L));
    s.eval_length = std::min(t, 2048);
}

}  // namespace xl
