// Writers of the factor table (factor_table.hpp): text and Markdown tables for people, CSV and
// JSON for machines. Each names the model, text, protocol and device, and every cell's spec.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/io/csv_writer.hpp"
#include "core/metrics/eval_report.hpp"
#include "core/metrics/factor_table.hpp"
#include "core/posenc/method_args.hpp"

namespace xl {

namespace {

std::string ppl_text(double v) {
    if (!std::isfinite(v)) return "inf";
    char b[40];
    std::snprintf(b, sizeof b, v < 1e5 ? "%.4f" : "%.4g", v);
    return b;
}

std::string column(const FactorTable& t, size_t k) {
    return format_number(t.factors[k]) + "x (L=" + std::to_string(t.lengths[k]) + ")";
}

std::string windows_line(const FactorTable& t) {
    std::ostringstream o;
    o << "windows per cell: " << (t.max_windows > 0 ? std::to_string(t.max_windows) : "all");
    for (size_t k = 0; k < t.factors.size(); ++k)
        for (const FactorRow& r : t.rows)
            if (!r.cells.empty()) {
                const EvalRow& e = r.cells[k].result;
                o << (k ? "; " : " (scored tokens: ") << format_number(t.factors[k]) << "x " << e.tokens_scored
                  << " in " << e.windows << (e.windows == 1 ? " window" : " windows");
                break;
            }
    return o.str() + ")\n";
}

std::string pad(const std::string& s, size_t w, bool right) {
    if (s.size() >= w) return s;
    return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string text_table(const FactorTable& t) {
    std::ostringstream o;
    o << eval_header_lines(t.info, t.protocol, t.protocol_description, "") << windows_line(t);
    o << "\nperplexity at f x the training length, each method configured for f\n";
    size_t mw = 6;
    for (const FactorRow& r : t.rows) mw = std::max(mw, r.label.size());
    std::vector<size_t> cw;
    for (size_t k = 0; k < t.factors.size(); ++k) cw.push_back(std::max<size_t>(10, column(t, k).size()));
    o << pad("method", mw, false);
    for (size_t k = 0; k < t.factors.size(); ++k) o << "  " << pad(column(t, k), cw[k], true);
    o << "\n";
    for (const FactorRow& r : t.rows) {
        if (r.cells.empty()) continue;
        o << pad(r.label, mw, false);
        for (size_t k = 0; k < r.cells.size(); ++k) o << "  " << pad(ppl_text(r.cells[k].result.ppl), cw[k], true);
        o << "\n";
    }
    o << "\nspecs per factor (extrapolab eval --method SPEC --lengths L reproduces a cell):\n";
    for (const FactorRow& r : t.rows) {
        if (r.cells.empty()) continue;
        o << "  " << r.label << " (" << r.note << ")\n";
        for (size_t k = 0; k < r.cells.size(); ++k)
            o << "    " << format_number(t.factors[k]) << "x: " << r.cells[k].spec << "\n";
    }
    for (const FactorRow& r : t.rows)
        if (!r.skipped.empty()) o << "skipped: " << r.label << ": " << r.skipped << "\n";
    return o.str();
}

std::string markdown_table(const FactorTable& t) {
    std::ostringstream o;
    std::istringstream head(eval_header_lines(t.info, t.protocol, t.protocol_description, "- ") + "- " +
                            windows_line(t));
    for (std::string line; std::getline(head, line);) o << line << "\n";
    o << "\nPerplexity at f × the training length, each method configured for f:\n\n| method |";
    for (size_t k = 0; k < t.factors.size(); ++k) o << " " << column(t, k) << " |";
    o << "\n| --- |";
    for (size_t k = 0; k < t.factors.size(); ++k) o << " ---: |";
    o << "\n";
    for (const FactorRow& r : t.rows) {
        if (r.cells.empty()) continue;
        o << "| " << r.label << " |";
        for (const FactorCell& c : r.cells) o << " " << ppl_text(c.result.ppl) << " |";
        o << "\n";
    }
    o << "\nSpecs (`extrapolab eval --method SPEC --lengths L` reproduces a cell):\n\n| method | rule |";
    for (size_t k = 0; k < t.factors.size(); ++k) o << " " << format_number(t.factors[k]) << "x |";
    o << "\n| --- | --- |";
    for (size_t k = 0; k < t.factors.size(); ++k) o << " --- |";
    o << "\n";
    for (const FactorRow& r : t.rows) {
        if (r.cells.empty()) continue;
        o << "| " << r.label << " | " << r.note << " |";
        for (const FactorCell& c : r.cells) o << " `" << c.spec << "` |";
        o << "\n";
    }
    bool any = false;
    for (const FactorRow& r : t.rows)
        if (!r.skipped.empty()) {
            o << (any ? "" : "\nSkipped:\n\n") << "- " << r.label << ": " << r.skipped << "\n";
            any = true;
        }
    return o.str();
}

std::string csv_table(const FactorTable& t) {
    std::ostringstream o;
    o << "# extrapolab table\n" << eval_header_lines(t.info, t.protocol, t.protocol_description, "# ");
    for (const FactorRow& r : t.rows)
        if (!r.skipped.empty()) o << "# skipped: " << r.label << ": " << r.skipped << "\n";
    o << "method,factor,length,spec,resolved,convention,protocol,ppl,ppl_stderr,mean_nll,tokens_scored,windows,device\n";
    for (const FactorRow& r : t.rows)
        for (size_t k = 0; k < r.cells.size(); ++k) {
            const EvalRow& e = r.cells[k].result;
            char nums[160];
            std::snprintf(nums, sizeof nums, "%.6f,%.6f,%.6f", e.ppl, e.ppl_stderr, e.mean_nll);
            o << csv_field(r.label) << ',' << format_number(t.factors[k]) << ',' << e.length << ','
              << csv_field(r.cells[k].spec) << ',' << csv_field(e.resolved) << ',' << csv_field(e.convention) << ','
              << csv_field(e.protocol) << ',' << nums << ',' << e.tokens_scored << ',' << e.windows << ','
              << csv_field(t.info.device) << '\n';
        }
    return o.str();
}

}  // namespace

std::string format_factor_table(const FactorTable& t, FactorFormat format) {
    switch (format) {
        case FactorFormat::Markdown: return markdown_table(t);
        case FactorFormat::Csv: return csv_table(t);
        case FactorFormat::Table: break;
    }
    return text_table(t);
}

nlohmann::json factor_table_json(const FactorTable& t) {
    nlohmann::json j;
    const EvalInfo& i = t.info;
    j["tool"] = "extrapolab table";
    j["model"] = {{"path", i.model}, {"name", i.model_name}, {"format", i.model_format},
                  {"train_context", i.train_context}, {"tokenizer", i.tokenizer}};
    j["text"] = {{"path", i.text}, {"documents", i.text_documents}, {"tokens", i.text_tokens},
                 {"separator", i.separator}, {"encoding", i.encoding}};
    j["protocol"] = {{"name", t.protocol}, {"description", t.protocol_description}};
    j["device"] = i.device;
    j["max_windows"] = t.max_windows;
    j["factors"] = t.factors;
    j["lengths"] = t.lengths;
    nlohmann::json rows = nlohmann::json::array();
    for (const FactorRow& r : t.rows) {
        nlohmann::json row = {{"method", r.label}, {"rule", r.note}};
        if (!r.skipped.empty()) row["skipped"] = r.skipped;
        nlohmann::json cells = nlohmann::json::array();
        for (size_t k = 0; k < r.cells.size(); ++k) {
            const EvalRow& e = r.cells[k].result;
            const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
            cells.push_back({{"factor", t.factors[k]}, {"length", e.length}, {"spec", r.cells[k].spec},
                             {"resolved", e.resolved}, {"convention", e.convention}, {"ppl", num(e.ppl)},
                             {"ppl_stderr", num(e.ppl_stderr)}, {"mean_nll", num(e.mean_nll)},
                             {"tokens_scored", e.tokens_scored}, {"windows", e.windows}, {"seconds", e.seconds}});
        }
        row["cells"] = std::move(cells);
        rows.push_back(std::move(row));
    }
    j["rows"] = std::move(rows);
    return j;
}

}  // namespace xl
