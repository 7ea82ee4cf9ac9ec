// Teacher-forced needle retrieval and per-head retrieval scores (see needle.hpp).
#include "core/metrics/needle.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "core/metrics/passkey.hpp"

namespace xl {
namespace {

// The needle sentence and its question (the needle-in-a-haystack test's San Francisco needle).
const char* const kSentenceNeedle =
    "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.";
const char* const kSentenceQuestion =
    "What is the best thing to do in San Francisco? The best thing to do in San Francisco is";
const char* const kSentenceAnswer = " eat a sandwich and sit in Dolores Park on a sunny day";

double nan() { return std::numeric_limits<double>::quiet_NaN(); }

}  // namespace

const char* needle_task_name(NeedleTask t) { return t == NeedleTask::Passkey ? "passkey" : "sentence"; }

std::vector<NeedleTask> parse_needle_tasks(const std::string& text) {
    std::vector<NeedleTask> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = text.substr(start, comma - start);
        if (item == "passkey") out.push_back(NeedleTask::Passkey);
        else if (item == "sentence") out.push_back(NeedleTask::Sentence);
        else throw Error(ErrorKind::BadArgument, "needle task '" + item + "'", "expected passkey or sentence");
        start = comma + 1;
    }
    return out;
}

NeedlePrompt build_needle_prompt(const Tokenizer& tok, NeedleTask task, int target_tokens, double depth, int passkey) {
    if (passkey < 10000 || passkey > 99999) throw Error(ErrorKind::BadArgument, "needle", "the key must have 5 digits");
    const bool key = task == NeedleTask::Passkey;
    const HaystackText h = key ? HaystackText{passkey_task(), passkey_key_line(passkey), passkey_question(), "needle"}
                               : HaystackText{passkey_task(), kSentenceNeedle, kSentenceQuestion, "needle"};
    NeedlePrompt p;
    p.task = task;
    p.target_tokens = target_tokens;
    p.depth = depth;
    p.answer = key ? " " + std::to_string(passkey) : std::string(kSentenceAnswer);
    const bool bos = tok.bos() >= 0;
    const int answer_budget = int(tok.encode(p.answer, false).size()) + 1;
    if (!(depth >= 0 && depth <= 1)) throw Error(ErrorKind::BadArgument, "needle", "depth must be in [0, 1]");
    PasskeyPrompt hp;
    try {
        hp = build_haystack_prompt(tok, target_tokens - answer_budget, depth, h);
    } catch (const Error&) {  // the only refusal left: the length
        throw Error(ErrorKind::BadArgument, "needle " + std::string(needle_task_name(task)),
                    "a length of " + std::to_string(target_tokens) +
                        " tokens cannot hold the task, needle, question and answer");
    }
    // The answer's tokens as the whole text tokenizes them, when the prompt's tokens are a prefix.
    std::vector<int> full = tok.encode(hp.text + p.answer, bos);
    if (full.size() <= hp.tokens.size() || !std::equal(hp.tokens.begin(), hp.tokens.end(), full.begin())) {
        full = hp.tokens;
        for (int t : tok.encode(p.answer, false)) full.push_back(t);
    }
    p.tokens = std::move(full);
    p.prompt_tokens = int(hp.tokens.size());
    const size_t at = hp.text.find(h.needle, h.task.size());
    p.needle_begin = hp.key_token_position;
    p.needle_end = int(tok.encode(hp.text.substr(0, at + h.needle.size()), bos).size());
    if (p.answer_tokens() < 1 || p.needle_end <= p.needle_begin)
        throw Error(ErrorKind::BadArgument, "needle", "the tokenizer gives the answer or the needle no tokens");
    return p;
}

double NeedleCell::retrieval(int layer, int head) const {
    return copyable > 0 ? double(copies[size_t(layer) * heads + head]) / copyable : nan();
}

int NeedleCell::retrieval_heads() const {
    int count = 0;
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h) count += retrieval(l, h) >= kRetrievalHeadThreshold;
    return count;
}

NeedleCell needle_cell_from_pass(const NeedlePrompt& p, int layers, int heads, int vocab,
                                 const std::vector<float>& logits, const std::vector<float>& rows_p) {
    const int n = int(p.tokens.size()), A = p.answer_tokens();
    if (logits.size() < size_t(A) * vocab || rows_p.size() != size_t(layers) * heads * A * n)
        throw Error(ErrorKind::Unsupported, "needle", "the pass returned no logits or attention rows for the answer");
    NeedleCell c;
    c.task = p.task;
    c.target_tokens = p.target_tokens;
    c.depth = p.depth;
    c.prompt_tokens = p.prompt_tokens;
    c.needle_begin = p.needle_begin;
    c.needle_end = p.needle_end;
    c.layers = layers;
    c.heads = heads;
    c.answer_ids.assign(p.tokens.begin() + p.prompt_tokens, p.tokens.end());
    // Row t of the logits predicts answer token t: log-softmax in double.
    for (int t = 0; t < A; ++t) {
        const float* l = logits.data() + size_t(t) * vocab;
        const int best = int(std::max_element(l, l + vocab) - l);
        double sum = 0;
        for (int v = 0; v < vocab; ++v) sum += std::exp(double(l[v]) - double(l[best]));
        const double lp = double(l[c.answer_ids[size_t(t)]]) - double(l[best]) - std::log(sum);
        c.argmax_ids.push_back(best);
        c.token_logprob.push_back(lp);
        c.logprob += lp;
    }
    c.correct = c.argmax_ids == c.answer_ids;
    const auto in_needle = [&](int token) {
        return std::find(p.tokens.begin() + p.needle_begin, p.tokens.begin() + p.needle_end, token) !=
               p.tokens.begin() + p.needle_end;
    };
    for (int t = 0; t < A; ++t) c.copyable += in_needle(c.answer_ids[size_t(t)]);
    c.copies.assign(size_t(layers) * heads, 0);
    c.needle_mass.assign(size_t(layers) * heads, 0.0);
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < heads; ++h)
            for (int t = 0; t < A; ++t) {
                const float* row = rows_p.data() + row_attention_index(heads, A, n, l, h, t, 0);
                const int top = int(std::max_element(row, row + n) - row);  // first of equal maxima
                double mass = 0;
                for (int j = p.needle_begin; j < p.needle_end; ++j) mass += row[j];
                c.needle_mass[size_t(l) * heads + h] += mass / A;
                c.copies[size_t(l) * heads + h] +=
                    top >= p.needle_begin && top < p.needle_end && p.tokens[size_t(top)] == c.answer_ids[size_t(t)];
            }
    return c;
}

NeedleCell score_needle(Forward& forward, const ModelConfig& cfg, const NeedlePrompt& p, const PositionPlan& plan,
                        const std::function<void()>& checkpoint) {
    ForwardRequest req;
    req.tokens = p.tokens;
    req.plan = plan;
    req.want_nll = false;
    req.want_all_logits = true;
    req.all_logits_from = p.prompt_tokens - 1;
    for (int t = 0; t < p.answer_tokens(); ++t) req.attention_rows.push_back(p.prompt_tokens - 1 + t);
    req.checkpoint = cancel_only(checkpoint);
    const ForwardResult r = forward.run(req);
    if (r.all_logits.empty())
        throw Error(ErrorKind::Unsupported, forward.device_name(), "returns no logits rows (needed by the needle view)");
    NeedleCell c = needle_cell_from_pass(p, cfg.n_layers, cfg.n_heads, cfg.vocab_size, r.all_logits, r.row_attention);
    c.seconds = r.seconds;
    return c;
}

const NeedleCell& NeedleGrid::cell(size_t t, size_t l, size_t d) const {
    return cells.at((t * lengths.size() + l) * depths.size() + d);
}

double NeedleGrid::accuracy() const {
    if (cells.empty()) return nan();
    int ok = 0;
    for (const NeedleCell& c : cells) ok += c.correct;
    return double(ok) / double(cells.size());
}

std::vector<double> NeedleGrid::retrieval() const {
    std::vector<double> out(size_t(layers) * heads, nan());
    int copyable = 0;
    for (const NeedleCell& c : cells) copyable += c.copyable;
    if (copyable == 0) return out;
    std::fill(out.begin(), out.end(), 0.0);
    for (const NeedleCell& c : cells)
        for (size_t i = 0; i < out.size(); ++i) out[i] += double(c.copies[i]) / copyable;
    return out;
}

std::vector<double> NeedleGrid::needle_mass() const {
    std::vector<double> out(size_t(layers) * heads, cells.empty() ? nan() : 0.0);
    for (const NeedleCell& c : cells)
        for (size_t i = 0; i < out.size(); ++i) out[i] += c.needle_mass[i] / double(cells.size());
    return out;
}

NeedleGrid run_needle_grid(Forward& forward, const ModelConfig& cfg, const Tokenizer& tok, const std::vector<int>& lengths,
                           const std::vector<double>& depths, const NeedleOptions& o, const PlanBuilder& make_plan,
                           const std::function<void(int, int)>& progress, const std::function<void()>& checkpoint) {
    if (lengths.empty() || depths.empty() || o.tasks.empty())
        throw Error(ErrorKind::BadArgument, "needle", "needs at least one task, one length and one depth");
    PasskeyOptions keys;
    keys.seed = o.seed;
    const int passkey = passkey_keys(keys).front();
    NeedleGrid g;
    g.tasks = o.tasks;
    g.lengths = lengths;
    g.depths = depths;
    g.layers = cfg.n_layers;
    g.heads = cfg.n_heads;
    std::vector<NeedlePrompt> prompts;  // all built first: a length that cannot hold one fails before any pass
    for (NeedleTask t : o.tasks)
        for (int len : lengths)
            for (double d : depths) prompts.push_back(build_needle_prompt(tok, t, len, d, passkey));
    const auto t0 = std::chrono::steady_clock::now();
    for (const NeedlePrompt& p : prompts) {
        if (checkpoint) checkpoint();
        g.cells.push_back(score_needle(forward, cfg, p, make_plan(int(p.tokens.size())), checkpoint));
        if (progress) progress(int(g.cells.size()), int(prompts.size()));
    }
    g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return g;
}

}  // namespace xl
