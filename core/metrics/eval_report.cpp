#include "core/metrics/eval_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace xl {

namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string pad(const std::string& s, size_t w, bool right) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::vector<int> lengths_of(const EvalTable& t) {
    std::vector<int> ls;
    for (const auto& r : t.rows())
        if (std::find(ls.begin(), ls.end(), r.length) == ls.end()) ls.push_back(r.length);
    return ls;
}

// Method rows in first-seen order, keyed by spec + convention.
std::vector<std::pair<std::string, std::string>> methods_of(const EvalTable& t) {
    std::vector<std::pair<std::string, std::string>> ms;
    for (const auto& r : t.rows()) {
        std::pair<std::string, std::string> m{r.method, r.convention};
        if (std::find(ms.begin(), ms.end(), m) == ms.end()) ms.push_back(m);
    }
    return ms;
}

}  // namespace

std::string eval_header_lines(const EvalInfo& i, const std::string& protocol,
                              const std::string& protocol_description, const char* prefix) {
    std::ostringstream o;
    o << prefix << "model: " << i.model_name << " (" << i.model_format << ", " << i.model << "), training length "
      << i.train_context << " tokens\n";
    o << prefix << "text: " << i.text << ": " << i.text_documents << " documents split on " << i.separator << ", "
      << i.text_tokens << " tokens (each document = " << i.encoding << "; tokenizer " << i.tokenizer << ")\n";
    o << prefix << "protocol: " << protocol << " (" << protocol_description << ")\n";
    o << prefix << "device: " << i.device << "\n";
    return o.str();
}

std::string format_eval_table(const EvalTable& t) {
    std::ostringstream o;
    o << eval_header_lines(t.info(), t.protocol(), t.protocol_description(), "");
    const auto lengths = lengths_of(t);
    const auto methods = methods_of(t);
    std::map<std::pair<std::string, int>, const EvalRow*> cell;
    for (const auto& r : t.rows()) cell[{r.method + "\x1f" + r.convention, r.length}] = &r;

    size_t mw = 6, cw = 10;
    for (const auto& m : methods) {
        mw = std::max(mw, m.first.size());
        cw = std::max(cw, m.second.size());
    }
    auto cell_text = [&](const std::pair<std::string, std::string>& m, int L) {
        auto it = cell.find({m.first + "\x1f" + m.second, L});
        return it == cell.end() ? std::string("-") : fmt("%.4f", it->second->ppl);
    };
    std::vector<size_t> width;  // per length column
    for (int L : lengths) {
        size_t w = ("L=" + std::to_string(L)).size();
        for (const auto& m : methods) w = std::max(w, cell_text(m, L).size());
        width.push_back(w);
    }
    o << "\nperplexity (exp of mean NLL per scored token)\n";
    o << pad("method", mw, false) << "  " << pad("convention", cw, false);
    for (size_t k = 0; k < lengths.size(); ++k) o << "  " << pad("L=" + std::to_string(lengths[k]), width[k], true);
    o << "\n";
    for (const auto& m : methods) {
        o << pad(m.first, mw, false) << "  " << pad(m.second.empty() ? "-" : m.second, cw, false);
        for (size_t k = 0; k < lengths.size(); ++k) o << "  " << pad(cell_text(m, lengths[k]), width[k], true);
        o << "\n";
    }
    bool any_resolved = false;
    for (const auto& r : t.rows()) any_resolved |= !r.resolved.empty() && r.resolved != r.method;
    if (any_resolved) {
        o << "\nmethods with defaults filled in (at the first length):\n";
        for (const auto& m : methods)
            for (const auto& r : t.rows())
                if (r.method == m.first && r.convention == m.second) {
                    o << "  " << r.method << " = " << r.resolved << "\n";
                    break;
                }
    }
    o << "\nscored tokens (windows), ± standard error of the first method:\n";
    for (int L : lengths) {
        for (const auto& r : t.rows())
            if (r.length == L) {
                o << "  L=" << L << ": " << r.tokens_scored << " (" << r.windows << "), ± "
                  << fmt("%.5f", r.ppl_stderr) << "\n";
                break;
            }
    }
    return o.str();
}

nlohmann::json eval_to_json(const EvalTable& t, bool per_position) {
    const EvalInfo& i = t.info();
    nlohmann::json j;
    j["tool"] = "extrapolab eval";
    j["model"] = {{"path", i.model}, {"name", i.model_name}, {"format", i.model_format},
                  {"train_context", i.train_context}, {"tokenizer", i.tokenizer}};
    j["text"] = {{"path", i.text}, {"documents", i.text_documents}, {"tokens", i.text_tokens},
                 {"separator", i.separator}, {"encoding", i.encoding}};
    j["protocol"] = {{"name", t.protocol()}, {"description", t.protocol_description()}};
    j["device"] = i.device;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : t.rows()) {
        nlohmann::json row = {{"method", r.method}, {"resolved", r.resolved}, {"convention", r.convention},
                              {"protocol", r.protocol},
                              {"length", r.length}, {"ppl", r.ppl}, {"ppl_stderr", r.ppl_stderr},
                              {"mean_nll", r.mean_nll}, {"tokens_scored", r.tokens_scored},
                              {"windows", r.windows}, {"seconds", r.seconds}};
        if (per_position) {
            nlohmann::json pl = nlohmann::json::array();
            for (double v : r.position_loss) pl.push_back(std::isnan(v) ? nlohmann::json() : nlohmann::json(v));
            row["position_loss"] = std::move(pl);
        }
        rows.push_back(std::move(row));
    }
    j["results"] = std::move(rows);
    return j;
}

std::string format_eval_csv(const EvalTable& t) {
    std::ostringstream o;
    o << "# extrapolab eval\n" << eval_header_lines(t.info(), t.protocol(), t.protocol_description(), "# ");
    o << "method,resolved,convention,protocol,length,ppl,ppl_stderr,mean_nll,tokens_scored,windows,device\n";
    auto quote = [](const std::string& s) {
        if (s.find_first_of(",\"\n") == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    for (const auto& r : t.rows())
        o << quote(r.method) << ',' << quote(r.resolved) << ',' << quote(r.convention) << ',' << quote(r.protocol) << ',' << r.length << ','
          << fmt("%.6f", r.ppl) << ',' << fmt("%.6f", r.ppl_stderr) << ',' << fmt("%.6f", r.mean_nll) << ','
          << r.tokens_scored << ',' << r.windows << ',' << quote(t.info().device) << '\n';
    return o.str();
}

}  // namespace xl
