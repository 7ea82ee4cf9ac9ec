// Passkey retrieval prompts and scoring (see passkey.hpp).
#include "core/metrics/passkey.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <sstream>

#include "core/error.hpp"
#include "core/ref/generate.hpp"

namespace xl {
namespace {

const char* const kTask =
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. "
    "I will quiz you about the important information there.";
const char* const kFiller[5] = {"The grass is green.", "The sky is blue.", "The sun is yellow.", "Here we go.",
                                "There and back again."};
const char* const kQuestion = "What is the pass key? The pass key is";

std::string filler(int first, int count) {
    std::string out;
    for (int i = first; i < first + count; ++i) {
        if (!out.empty()) out += ' ';
        out += kFiller[i % 5];
    }
    return out;
}

struct Parts {
    std::string before;  // task + prefix filler, ending with a newline
    std::string text;    // whole prompt
};

Parts assemble(int sentences, int before, const HaystackText& h) {
    Parts p;
    p.before = h.task + "\n";
    if (before > 0) p.before += filler(0, before) + "\n";
    p.text = p.before + h.needle + "\n";
    if (sentences - before > 0) p.text += filler(before, sentences - before) + "\n";
    p.text += h.question;
    return p;
}

int split_point(int sentences, double depth) { return int(std::lround(depth * sentences)); }

int count_tokens(const Tokenizer& tok, int sentences, double depth, const HaystackText& h) {
    return int(tok.encode(assemble(sentences, split_point(sentences, depth), h).text, tok.bos() >= 0).size());
}

}  // namespace

const std::string& passkey_task() {
    static const std::string s = kTask;
    return s;
}

const std::string& passkey_question() {
    static const std::string s = kQuestion;
    return s;
}

std::string passkey_key_line(int key) {
    const std::string k = std::to_string(key);
    return "The pass key is " + k + ". Remember it. " + k + " is the pass key.";
}

double PasskeyPrompt::actual_depth() const {
    return tokens.empty() ? 0.0 : double(key_token_position) / double(tokens.size());
}

PasskeyPrompt build_passkey_prompt(const Tokenizer& tok, int target_tokens, double depth, int passkey) {
    if (passkey < 10000 || passkey > 99999) throw Error(ErrorKind::BadArgument, "passkey", "the key must have 5 digits");
    PasskeyPrompt p = build_haystack_prompt(tok, target_tokens, depth, {kTask, passkey_key_line(passkey), kQuestion});
    p.passkey = passkey;
    return p;
}

PasskeyPrompt build_haystack_prompt(const Tokenizer& tok, int target_tokens, double depth, const HaystackText& h) {
    const std::string& subject = h.subject;
    if (!(depth >= 0 && depth <= 1)) throw Error(ErrorKind::BadArgument, subject, "depth must be in [0, 1]");
    if (count_tokens(tok, 0, depth, h) > target_tokens)
        throw Error(ErrorKind::BadArgument, subject,
                    "a prompt of " + std::to_string(target_tokens) + " tokens cannot hold the task, needle and question");
    // Largest sentence count that fits: grow an upper bound, then bisect.
    int lo = 0, hi = 1;
    while (count_tokens(tok, hi, depth, h) <= target_tokens) {
        lo = hi;
        hi *= 2;
    }
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        (count_tokens(tok, mid, depth, h) <= target_tokens ? lo : hi) = mid;
    }
    PasskeyPrompt p;
    p.target_tokens = target_tokens;
    p.depth = depth;
    p.filler_sentences = lo;
    p.sentences_before = split_point(lo, depth);
    const Parts parts = assemble(lo, p.sentences_before, h);
    p.text = parts.text;
    p.tokens = tok.encode(p.text, tok.bos() >= 0);
    p.key_token_position = int(tok.encode(parts.before, tok.bos() >= 0).size());
    return p;
}

std::string first_digits(const std::string& text) {
    size_t i = 0;
    while (i < text.size() && !std::isdigit((unsigned char)text[i])) ++i;
    size_t j = i;
    while (j < text.size() && std::isdigit((unsigned char)text[j])) ++j;
    return text.substr(i, j - i);
}

bool passkey_correct(const std::string& answer, int passkey) {
    return first_digits(answer) == std::to_string(passkey);
}

int PasskeyCell::correct() const {
    int c = 0;
    for (const auto& t : trials) c += t.correct;
    return c;
}

double PasskeyCell::accuracy() const {
    return trials.empty() ? std::numeric_limits<double>::quiet_NaN() : double(correct()) / double(trials.size());
}

double PasskeyGrid::accuracy() const {
    int c = 0, n = 0;
    for (const auto& cell : cells) {
        c += cell.correct();
        n += int(cell.trials.size());
    }
    return n ? double(c) / n : std::numeric_limits<double>::quiet_NaN();
}

std::string passkey_answer(Forward& forward, const Tokenizer& tok, const std::vector<int>& prompt,
                           int max_new_tokens, const PlanBuilder& make_plan) {
    std::vector<int> seq = prompt;
    std::string answer;
    for (int step = 0; step < max_new_tokens; ++step) {
        if (int64_t(seq.size()) >= forward.max_tokens()) break;
        ForwardRequest req;
        req.tokens = seq;
        req.plan = make_plan(int(seq.size()));
        req.want_nll = false;
        req.want_last_logits = true;
        const ForwardResult r = forward.run(req);
        const int next = pick_token(r.last_logits, 0.f, 0.0);
        if (next == tok.eos() || next == tok.bos()) break;
        answer += tok.decode_token(seq.back(), next);
        seq.push_back(next);
        // Done once a run of digits is followed by something else.
        const size_t d = answer.find_first_of("0123456789");
        if (d != std::string::npos && answer.find_first_not_of("0123456789", d) != std::string::npos) break;
    }
    return answer;
}

std::vector<int> passkey_keys(const PasskeyOptions& o) {
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<int> dist(10000, 99999);
    std::vector<int> keys;
    for (int t = 0; t < o.trials; ++t) keys.push_back(dist(rng));
    return keys;
}

PasskeyCell run_passkey_cell(Forward& forward, const Tokenizer& tok, int len, double depth,
                             const std::vector<int>& keys, const PasskeyOptions& o, const PlanBuilder& make_plan) {
    PasskeyCell cell;
    cell.target_tokens = len;
    cell.depth = depth;
    for (int key : keys) {
        const PasskeyPrompt p = build_passkey_prompt(tok, len, depth, key);
        PasskeyTrial t;
        t.passkey = key;
        t.prompt_tokens = int(p.tokens.size());
        t.key_token_position = p.key_token_position;
        t.answer = passkey_answer(forward, tok, p.tokens, o.max_new_tokens, make_plan);
        t.correct = passkey_correct(t.answer, key);
        cell.trials.push_back(std::move(t));
    }
    return cell;
}

PasskeyGrid run_passkey_grid(Forward& forward, const Tokenizer& tok, const std::vector<int>& lengths,
                             const std::vector<double>& depths, const PasskeyOptions& o,
                             const PlanBuilder& make_plan) {
    if (o.trials < 1 || lengths.empty() || depths.empty())
        throw Error(ErrorKind::BadArgument, "passkey", "needs at least one length, one depth and one trial");
    const std::vector<int> keys = passkey_keys(o);
    PasskeyGrid g;
    g.lengths = lengths;
    g.depths = depths;
    for (int len : lengths)
        for (double depth : depths) g.cells.push_back(run_passkey_cell(forward, tok, len, depth, keys, o, make_plan));
    return g;
}

std::string passkey_grid_csv(const PasskeyGrid& grid) {
    std::string out = "# passkey retrieval (PI/Landmark prompt, greedy answer, first digits == key)\n"
                      "target_tokens,depth,trials,correct,accuracy\n";
    for (const auto& c : grid.cells) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%d,%.4g,%zu,%d,%.4f\n", c.target_tokens, c.depth, c.trials.size(), c.correct(),
                      c.accuracy());
        out += buf;
    }
    return out;
}

std::string passkey_grid_table(const PasskeyGrid& g, const std::string& method, const std::string& device) {
    std::ostringstream s;
    s << "device: " << device << "\nmethod: " << method << "\n\n";
    s << "target_tokens     depth  trials  correct  accuracy\n";
    for (const auto& c : g.cells) {
        char b[128];
        std::snprintf(b, sizeof b, "%13d %9.3g %7zu %8d %9.4f\n", c.target_tokens, c.depth, c.trials.size(),
                      c.correct(), c.accuracy());
        s << b;
    }
    char b[64];
    std::snprintf(b, sizeof b, "\noverall accuracy: %.4f\n", g.accuracy());
    s << b;
    return s.str();
}

}  // namespace xl
