#include "core/io/preset_io.hpp"
#include "core/posenc/training_positions.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/io/colormap.hpp"
#include "core/io/json_limits.hpp"

namespace xl {
namespace {

using json = nlohmann::json;

struct Reader {
    const json& j;
    std::string subject, where;
    [[noreturn]] void bad(const std::string& m) const {
        throw Error(ErrorKind::BadArgument, subject, where.empty() ? m : where + ": " + m);
    }
    void only(const std::set<std::string>& keys) const {
        if (!j.is_object()) bad("expected a JSON object");
        for (auto it = j.begin(); it != j.end(); ++it)
            if (!keys.count(it.key())) {
                std::string known;
                for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
                bad("unknown key '" + it.key() + "' (known keys: " + known + ")");
            }
    }
    const json* get(const char* key) const { return j.contains(key) ? &j.at(key) : nullptr; }
    void str(const char* key, std::string& out) const {
        if (const json* v = get(key)) {
            if (!v->is_string()) bad(std::string("'") + key + "' must be a string");
            out = v->get<std::string>();
        }
    }
    void integer(const char* key, int& out, long lo, long hi) const {
        if (const json* v = get(key)) {
            if (!v->is_number_integer()) bad(std::string("'") + key + "' must be an integer");
            const long x = v->get<long>();
            if (x < lo || x > hi)
                bad(std::string("'") + key + "' = " + std::to_string(x) + " is out of range " + std::to_string(lo) + ".." + std::to_string(hi));
            out = int(x);
        }
    }
    void number(const char* key, double& out, double lo, double hi) const {
        if (const json* v = get(key)) {
            if (!v->is_number()) bad(std::string("'") + key + "' must be a number");
            const double x = v->get<double>();
            if (!(x >= lo && x <= hi)) bad(std::string("'") + key + "' is out of range");
            out = x;
        }
    }
    void boolean(const char* key, bool& out) const {
        if (const json* v = get(key)) {
            if (!v->is_boolean()) bad(std::string("'") + key + "' must be true or false");
            out = v->get<bool>();
        }
    }
};

json parse(const std::string& text, const std::string& subject) {
    return parse_json_limited(text, subject, ErrorKind::BadArgument);
}

void read_configs(const Reader& r, Session& s) {
    const json* v = r.get("configs");
    if (!v) return;
    if (!v->is_array()) r.bad("'configs' must be an array");
    s.configs.clear();
    for (const json& c : *v) {
        Configuration cfg;
        if (c.is_string()) cfg.method = c.get<std::string>();
        else {
            Reader cr{c, r.subject, "configs[" + std::to_string(s.configs.size()) + "]"};
            cr.only({"method", "enabled"});
            cr.str("method", cfg.method);
            cr.boolean("enabled", cfg.enabled);
        }
        s.configs.push_back(cfg);
    }
}

void read_lists(const Reader& r, Session& s) {
    if (const json* v = r.get("lengths")) {
        if (!v->is_array()) r.bad("'lengths' must be an array of integers");
        s.lengths.clear();
        for (const json& x : *v) {
            if (!x.is_number_integer()) r.bad("'lengths' must be an array of integers");
            const long L = x.get<long>();
            if (L < 2 || L > 65536) r.bad("length " + std::to_string(L) + " is out of range 2..65536");
            s.lengths.push_back(int(L));
        }
    }
    if (const json* v = r.get("needle_lengths")) {
        if (!v->is_array()) r.bad("'needle_lengths' must be an array of integers");
        s.needle_lengths.clear();
        for (const json& x : *v) {
            if (!x.is_number_integer()) r.bad("'needle_lengths' must be an array of integers");
            const long L = x.get<long>();
            if (L < 16 || L > (1 << 20)) r.bad("needle length " + std::to_string(L) + " is out of range 16..1048576");
            s.needle_lengths.push_back(int(L));
        }
    }
    if (const json* v = r.get("needle_depths")) {
        if (!v->is_array()) r.bad("'needle_depths' must be an array of fractions in [0, 1]");
        s.needle_depths.clear();
        for (const json& x : *v) {
            if (!x.is_number() || !(x.get<double>() >= 0 && x.get<double>() <= 1))
                r.bad("'needle_depths' must be an array of fractions in [0, 1]");
            s.needle_depths.push_back(x.get<double>());
        }
    }
    if (const json* v = r.get("panels")) {
        if (!v->is_array()) r.bad("'panels' must be an array of panel ids");
        s.panels.clear();
        for (const json& x : *v) {
            if (!x.is_string()) r.bad("'panels' must be an array of panel ids");
            s.panels.push_back(x.get<std::string>());
        }
    }
    if (const json* v = r.get("lesson")) {
        if (v->is_string()) s.lesson = v->get<std::string>();
        else if (v->is_array()) {
            s.lesson.clear();
            for (const json& x : *v) {
                if (!x.is_string()) r.bad("'lesson' must be a string or an array of strings");
                s.lesson += (s.lesson.empty() ? "" : "\n\n") + x.get<std::string>();
            }
        } else r.bad("'lesson' must be a string or an array of strings");
    }
}

}  // namespace

Session session_from_json(const std::string& text, const std::string& subject) {
    const json j = parse(text, subject);
    Reader r{j, subject, ""};
    r.only({"extrapolab_preset", "name", "model", "tokenizer", "text", "doc_prefix", "flatten_newlines", "configs",
            "eval_length", "lengths", "protocol", "max_windows", "attention_grid", "posvec_windows", "evict_tokens",
            "evict_cpu", "evict_budgets", "evict_chunk", "evict_sinks", "evict_map_policy", "evict_map_positions", "evict_map_budget", "needle_lengths",
            "needle_depths", "needle_tasks", "panels", "lesson_title", "lesson"});
    int format = 1;
    r.integer("extrapolab_preset", format, 1, 1);
    Session s = default_session();
    s.panels.clear();
    s.lesson.clear();
    r.str("name", s.name);
    r.str("model", s.model);
    r.str("tokenizer", s.tokenizer);
    r.str("text", s.text);
    r.str("doc_prefix", s.doc_prefix);
    r.boolean("flatten_newlines", s.flatten_newlines);
    read_configs(r, s);
    r.integer("eval_length", s.eval_length, 2, 65536);
    r.str("protocol", s.protocol);
    r.integer("max_windows", s.max_windows, 0, 10000);
    r.integer("attention_grid", s.attention_grid, 8, 1024);
    r.integer("posvec_windows", s.posvec_windows, 1, 10000);
    r.integer("evict_tokens", s.evict_tokens, 2, kEvictMaxTokens);
    r.boolean("evict_cpu", s.evict_cpu);
    r.integer("evict_chunk", s.evict_chunk, 1, kEvictMaxTokens);
    r.integer("evict_sinks", s.evict_sinks, 0, kEvictMaxTokens);
    r.integer("evict_map_budget", s.evict_map_budget, 1, kEvictMaxTokens);
    r.str("evict_map_policy", s.evict_map_policy);
    r.str("evict_map_positions", s.evict_map_positions);
    if (const json* v = r.get("evict_budgets")) {
        if (!v->is_array() || v->empty()) r.bad("'evict_budgets' must be a non-empty array of budgets");
        s.evict_budgets.clear();
        for (const json& x : *v) {
            if (!x.is_number_integer()) r.bad("'evict_budgets' must be an array of whole numbers");
            s.evict_budgets.push_back(x.get<int>());
        }
    }
    r.str("needle_tasks", s.needle_tasks);
    r.str("lesson_title", s.lesson_title);
    read_lists(r, s);
    validate_session(s, subject);
    return s;
}

std::string session_to_json(const Session& s) {
    json j;
    j["extrapolab_preset"] = 1;
    j["name"] = s.name;
    if (!s.model.empty()) j["model"] = s.model;
    if (!s.tokenizer.empty()) j["tokenizer"] = s.tokenizer;
    if (!s.text.empty()) j["text"] = s.text;
    if (!s.doc_prefix.empty()) j["doc_prefix"] = s.doc_prefix;
    if (s.flatten_newlines) j["flatten_newlines"] = true;
    json configs = json::array();
    for (const Configuration& c : s.configs)
        configs.push_back(c.enabled ? json(c.method) : json{{"method", c.method}, {"enabled", false}});
    j["configs"] = configs;
    j["eval_length"] = s.eval_length;
    j["lengths"] = s.lengths;
    j["protocol"] = s.protocol;
    j["max_windows"] = s.max_windows;
    j["attention_grid"] = s.attention_grid;
    if (s.posvec_windows != Session{}.posvec_windows) j["posvec_windows"] = s.posvec_windows;
    const Session d;
    if (s.evict_tokens != d.evict_tokens) j["evict_tokens"] = s.evict_tokens;
    if (s.evict_cpu) j["evict_cpu"] = true;
    if (s.evict_budgets != d.evict_budgets) j["evict_budgets"] = s.evict_budgets;
    if (s.evict_chunk != d.evict_chunk) j["evict_chunk"] = s.evict_chunk;
    if (s.evict_sinks != d.evict_sinks) j["evict_sinks"] = s.evict_sinks;
    if (s.evict_map_policy != d.evict_map_policy) j["evict_map_policy"] = s.evict_map_policy;
    if (s.evict_map_positions != d.evict_map_positions) j["evict_map_positions"] = s.evict_map_positions;
    if (s.evict_map_budget != d.evict_map_budget) j["evict_map_budget"] = s.evict_map_budget;
    if (!s.needle_lengths.empty()) j["needle_lengths"] = s.needle_lengths;
    if (s.needle_depths != Session{}.needle_depths) j["needle_depths"] = s.needle_depths;
    if (s.needle_tasks != Session{}.needle_tasks) j["needle_tasks"] = s.needle_tasks;
    if (!s.panels.empty()) j["panels"] = s.panels;
    if (!s.lesson_title.empty()) j["lesson_title"] = s.lesson_title;
    if (!s.lesson.empty()) j["lesson"] = s.lesson;
    return j.dump(2) + "\n";
}

Session load_preset(const std::string& path) {
    Session s = session_from_json(read_text_file(path), path);
    s.base_dir = std::filesystem::absolute(path).parent_path().lexically_normal().string();
    return s;
}

void save_preset(const Session& s, const std::string& path) {
    validate_session(s, path);
    write_file_atomic(path, session_to_json(s));
}

ViewState view_state_from_json(const std::string& text, const std::string& subject) {
    const json j = parse(text, subject);
    Reader r{j, subject, ""};
    r.only({"layer", "head", "active_config", "colormap", "log_color", "smoothing", "loss_diff", "phase_pairs", "positions_tokens",
            "training_sampler", "training_factor", "posvec_layer", "posvec_pair", "needle_cell", "logit_layer", "font_family",
            "export_scale", "export_dir", "plots"});
    ViewState v;
    r.integer("layer", v.layer, 0, 1024);
    r.integer("head", v.head, -1, 1024);
    r.integer("active_config", v.active_config, 0, kMaxConfigs - 1);
    r.str("colormap", v.colormap);
    if (!is_colormap(v.colormap)) r.bad("unknown colormap '" + v.colormap + "' (viridis, magma, diverging)");
    r.boolean("log_color", v.log_color);
    r.integer("smoothing", v.smoothing, 1, 4096);
    r.boolean("loss_diff", v.loss_diff);
    r.integer("phase_pairs", v.phase_pairs, 1, 64);
    r.integer("positions_tokens", v.positions_tokens, 1, 65536);
    r.str("training_sampler", v.training_sampler);
    parse_training_sampler(v.training_sampler, subject + ": training_sampler");
    r.integer("training_factor", v.training_factor, 1, 64);
    r.integer("posvec_layer", v.posvec_layer, 0, 1024);
    r.integer("logit_layer", v.logit_layer, -1, 1024);
    r.integer("posvec_pair", v.posvec_pair, 0, 1);
    r.integer("needle_cell", v.needle_cell, -1, 100000);
    r.str("font_family", v.font_family);
    r.number("export_scale", v.export_scale, 0.1, 16);
    r.str("export_dir", v.export_dir);
    if (const json* p = r.get("plots")) {
        if (!p->is_object()) r.bad("'plots' must be an object");
        for (auto it = p->begin(); it != p->end(); ++it) {
            Reader pr{it.value(), subject, "plots." + it.key()};
            pr.only({"x0", "x1", "y0", "y1", "fit"});
            PlotView pv;
            pr.number("x0", pv.x0, -1e300, 1e300);
            pr.number("x1", pv.x1, -1e300, 1e300);
            pr.number("y0", pv.y0, -1e300, 1e300);
            pr.number("y1", pv.y1, -1e300, 1e300);
            pr.boolean("fit", pv.fit);
            v.plots[it.key()] = pv;
        }
    }
    return v;
}

std::string view_state_to_json(const ViewState& v) {
    json j{{"layer", v.layer}, {"head", v.head}, {"active_config", v.active_config}, {"colormap", v.colormap},
           {"log_color", v.log_color}, {"smoothing", v.smoothing}, {"loss_diff", v.loss_diff},
           {"phase_pairs", v.phase_pairs},
           {"positions_tokens", v.positions_tokens}, {"training_sampler", v.training_sampler},
           {"training_factor", v.training_factor}, {"posvec_layer", v.posvec_layer}, {"posvec_pair", v.posvec_pair},
           {"needle_cell", v.needle_cell}, {"logit_layer", v.logit_layer},
           {"font_family", v.font_family}, {"export_scale", v.export_scale}, {"export_dir", v.export_dir}};
    json plots = json::object();
    for (const auto& [k, p] : v.plots) plots[k] = {{"x0", p.x0}, {"x1", p.x1}, {"y0", p.y0}, {"y1", p.y1}, {"fit", p.fit}};
    j["plots"] = plots;
    return j.dump(2) + "\n";
}

}  // namespace xl
