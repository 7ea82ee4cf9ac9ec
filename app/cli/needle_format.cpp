#include "app/cli/needle_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "app/cli/cli_common.hpp"

namespace xl::cli {

namespace {

std::string num(double v, const char* fmt = "%.4f") { return format_number(v, fmt); }

int count_at_least(const std::vector<double>& v, double threshold) {
    return int(std::count_if(v.begin(), v.end(), [&](double x) { return x >= threshold; }));
}

std::vector<double> cell_retrieval(const NeedleCell& c) {
    std::vector<double> out;
    for (int l = 0; l < c.layers; ++l)
        for (int h = 0; h < c.heads; ++h) out.push_back(c.retrieval(l, h));
    return out;
}

}  // namespace

std::string top_heads(const std::vector<double>& score, int heads, int count) {
    std::vector<int> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    order.erase(std::remove_if(order.begin(), order.end(), [&](int i) { return !(score[size_t(i)] > 0); }),  // NaN, 0
                order.end());
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return score[size_t(a)] > score[size_t(b)]; });
    std::string out;
    for (int k = 0; k < std::min<int>(count, int(order.size())); ++k) {
        const int i = order[size_t(k)];
        char b[48];
        std::snprintf(b, sizeof b, "%sL%d.H%d %.2f", out.empty() ? "" : ", ", i / heads, i % heads, score[size_t(i)]);
        out += b;
    }
    return out.empty() ? "-" : out;
}

std::string needle_table(const NeedleHeader& h, const std::vector<NeedleRun>& runs) {
    std::ostringstream s;
    s << "model: " << h.model << " (" << h.model_path << ")\ndevice: " << h.device << "\ntraining length: "
      << h.train_length << "\n";
    s << "needle in a haystack, teacher-forced: the prompt and the true answer in one pass; correct = every answer "
         "token is its row's argmax (what greedy decoding gives), logprob = sum of the answer tokens' log p (nats);\n"
         "retrieval score of a head (Wu et al., 2024) = share of the copyable answer tokens (those in the needle) for "
         "which its top-attended key is that token inside the needle; retrieval heads score >= "
      << num(kRetrievalHeadThreshold, "%.1f") << "; needle mass = attention of the answer rows on the needle span\n";
    for (const NeedleRun& r : runs) {
        const NeedleGrid& g = r.grid;
        s << "\nmethod: " << r.method << (r.convention.empty() ? "" : "  [convention " + r.convention + "]") << "  "
          << g.cells.size() << " passes, " << num(g.seconds, "%.1f") << " s\n";
        s << "task      length  depth  tokens  needle_at  distance  answer  correct   logprob  p(answer)  "
             "retr_heads  max_needle_mass  top retrieval heads\n";
        for (const NeedleCell& c : g.cells) {
            char b[256];
            const double mass = c.needle_mass.empty() ? NAN : *std::max_element(c.needle_mass.begin(), c.needle_mass.end());
            std::snprintf(b, sizeof b, "%-8s %7d %6.2f %7d %10d %9d %7zu %8s %9s %10s %11d %16s  ", needle_task_name(c.task),
                          c.target_tokens, c.depth, c.prompt_tokens + int(c.answer_ids.size()), c.needle_begin,
                          c.distance(), c.answer_ids.size(), c.correct ? "yes" : "no", num(c.logprob, "%.3f").c_str(),
                          num(std::exp(c.logprob), "%.4f").c_str(), c.retrieval_heads(), num(mass, "%.3f").c_str());
            s << b << top_heads(cell_retrieval(c), c.heads, 3) << "\n";
        }
        const std::vector<double> ret = g.retrieval();
        s << "accuracy: " << num(g.accuracy(), "%.3f") << "   retrieval heads over all cells: "
          << count_at_least(ret, kRetrievalHeadThreshold) << " of " << g.layers * g.heads << "   top: "
          << top_heads(ret, g.heads, 5) << "\n";
    }
    return s.str();
}

std::string needle_json(const NeedleHeader& h, const std::vector<NeedleRun>& runs) {
    nlohmann::json j;
    j["model"] = h.model;
    j["model_path"] = h.model_path;
    j["device"] = h.device;
    j["train_length"] = h.train_length;
    j["retrieval_threshold"] = kRetrievalHeadThreshold;
    j["methods"] = nlohmann::json::array();
    for (const NeedleRun& r : runs) {
        const NeedleGrid& g = r.grid;
        nlohmann::json m;
        m["method"] = r.method;
        m["convention"] = r.convention;
        m["layers"] = g.layers;
        m["heads"] = g.heads;
        m["seconds"] = g.seconds;
        m["accuracy"] = json_number(g.accuracy());
        nlohmann::json ret = nlohmann::json::array(), mass = nlohmann::json::array();
        for (double v : g.retrieval()) ret.push_back(json_number(v));
        for (double v : g.needle_mass()) mass.push_back(json_number(v));
        m["retrieval"] = ret;
        m["needle_mass"] = mass;
        m["cells"] = nlohmann::json::array();
        for (const NeedleCell& c : g.cells) {
            nlohmann::json cj;
            cj["task"] = needle_task_name(c.task);
            cj["target_tokens"] = c.target_tokens;
            cj["depth"] = c.depth;
            cj["prompt_tokens"] = c.prompt_tokens;
            cj["needle_begin"] = c.needle_begin;
            cj["needle_end"] = c.needle_end;
            cj["answer_ids"] = c.answer_ids;
            cj["argmax_ids"] = c.argmax_ids;
            cj["token_logprob"] = c.token_logprob;
            cj["logprob"] = c.logprob;
            cj["correct"] = c.correct;
            cj["copyable"] = c.copyable;
            cj["copies"] = c.copies;
            nlohmann::json cm = nlohmann::json::array();
            for (double v : c.needle_mass) cm.push_back(json_number(v));
            cj["needle_mass"] = cm;
            cj["seconds"] = c.seconds;
            m["cells"].push_back(cj);
        }
        j["methods"].push_back(m);
    }
    return json_text(j);
}

std::string needle_csv(const std::vector<NeedleRun>& runs) {
    std::ostringstream s;
    s << "# needle retrieval, teacher-forced; retrieval = copies/copyable (Wu et al., 2024)\n"
         "method,task,target_tokens,depth,prompt_tokens,needle_begin,correct,logprob,layer,head,copies,copyable,"
         "retrieval,needle_mass\n";
    for (const NeedleRun& r : runs)
        for (const NeedleCell& c : r.grid.cells)
            for (int l = 0; l < c.layers; ++l)
                for (int h = 0; h < c.heads; ++h) {
                    const size_t i = size_t(l) * c.heads + h;
                    s << '"' << r.method << "\"," << needle_task_name(c.task) << ',' << c.target_tokens << ','
                      << num(c.depth, "%.4g") << ',' << c.prompt_tokens << ',' << c.needle_begin << ','
                      << (c.correct ? 1 : 0) << ',' << num(c.logprob, "%.6f") << ',' << l << ',' << h << ','
                      << c.copies[i] << ',' << c.copyable << ',' << num(c.retrieval(l, h), "%.6f") << ','
                      << num(c.needle_mass[i], "%.6f") << '\n';
                }
    return s.str();
}

}  // namespace xl::cli
