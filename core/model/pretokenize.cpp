// Matchers follow llama.cpp's unicode.cpp: its hand-written splitters for the GPT-2 and Llama-3
// patterns, and std::regex semantics (first alternative that matches, greedy) for the others.
// Every stage maps a list of segments (lengths in code points) to a finer list.
#include "core/model/pretokenize.hpp"

#include "core/model/minbpe_split.hpp"

namespace xl {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

using Segments = std::vector<size_t>;  // consecutive lengths in code points

class Stage {
public:
    Stage(const std::vector<char32_t>& cps, size_t begin, size_t end, Segments& out)
        : cps_(cps), begin_(begin), end_(end), prev_(begin), out_(out) {}

    bool in(size_t i) const { return i >= begin_ && i < end_; }
    char32_t at(size_t i) const { return in(i) ? cps_[i] : 0xFFFFFFFF; }
    bool letter(size_t i) const { return in(i) && is_unicode_letter(cps_[i]); }
    bool number(size_t i) const { return in(i) && is_unicode_number(cps_[i]); }
    bool space(size_t i) const { return in(i) && is_unicode_space(cps_[i]); }
    bool other(size_t i) const { return in(i) && !letter(i) && !number(i) && !space(i); }  // [^\s\p{L}\p{N}]
    void cut(size_t end) {  // ends the current piece at `end` (nothing for an empty piece)
        if (end > prev_) out_.push_back(end - prev_);
        prev_ = end;
    }
    size_t begin() const { return begin_; }
    size_t end() const { return end_; }

private:
    const std::vector<char32_t>& cps_;
    size_t begin_, end_, prev_;
    Segments& out_;
};

char32_t ascii_lower(char32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

// 's|'t|'re|'ve|'m|'ll|'d (case-folded when `fold`): length of the match at i, 0 if none.
size_t contraction(const Stage& s, size_t i, bool fold) {
    if (s.at(i) != '\'' || !s.in(i + 1)) return 0;
    auto lo = [&](size_t k) { return fold ? ascii_lower(s.at(k)) : s.at(k); };
    const char32_t a = lo(i + 1);
    if (a == 's' || a == 't' || a == 'm' || a == 'd') return 2;
    if (!s.in(i + 2)) return 0;
    const char32_t b = lo(i + 2);
    return (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') ? 3 : 0;
}

// Whitespace at i: \s+(?!\S) takes all but the last space before a non-space, else \s+ all.
// Returns the end of the match, or i when there is no whitespace.
size_t whitespace_run(const Stage& s, size_t i) {
    size_t n = 0;
    while (s.space(i + n)) ++n;
    if (n > 1 && s.in(i + n)) return i + n - 1;
    return i + n;
}

void gpt2_stage(Stage& s) {
    for (size_t pos = s.begin(); pos < s.end();) {
        if (size_t n = contraction(s, pos, false)) { s.cut(pos += n); continue; }
        const bool lead_space = s.at(pos) == ' ';
        const size_t q = pos + (lead_space ? 1 : 0);  // the class decides on the char after ' '
        if (s.letter(q) || s.number(q) || s.other(q)) {
            const bool L = s.letter(q), N = s.number(q);
            pos = q;
            while (L ? s.letter(pos) : N ? s.number(pos) : s.other(pos)) ++pos;
            s.cut(pos);
            continue;
        }
        const size_t w = whitespace_run(s, pos);
        pos = w > pos ? w : pos + 1;  // no alternative matched: one code point
        s.cut(pos);
    }
}

// Llama-3 pattern; Qwen2 is the same with max_digits 1.
void llama3_stage(Stage& s, size_t max_digits) {
    for (size_t pos = s.begin(); pos < s.end();) {
        if (size_t n = contraction(s, pos, true)) { s.cut(pos += n); continue; }
        const char32_t c = s.at(pos);
        if (c != '\r' && c != '\n' && !s.number(pos) && (s.letter(pos) || s.letter(pos + 1))) {
            ++pos;  // [^\r\n\p{L}\p{N}]?\p{L}+
            while (s.letter(pos)) ++pos;
            s.cut(pos);
            continue;
        }
        if (s.number(pos)) {  // \p{N}{1,max}
            const size_t start = pos;
            while (s.number(pos) && pos - start < max_digits) ++pos;
            s.cut(pos);
            continue;
        }
        const size_t q = pos + (c == ' ' ? 1 : 0);
        if (s.other(q)) {  // ' '?[^\s\p{L}\p{N}]+[\r\n]*
            pos = q;
            while (s.other(pos)) ++pos;
            while (s.at(pos) == '\r' || s.at(pos) == '\n') ++pos;
            s.cut(pos);
            continue;
        }
        size_t last_newline = 0, n = 0;  // \s*[\r\n]+ ends after the run's last \r or \n
        for (; s.space(pos + n); ++n)
            if (s.at(pos + n) == '\r' || s.at(pos + n) == '\n') last_newline = pos + n + 1;
        if (last_newline) { s.cut(pos = last_newline); continue; }
        const size_t w = whitespace_run(s, pos);
        pos = w > pos ? w : pos + 1;
        s.cut(pos);
    }
}

// A regex that matches runs of `in_class` (at most `max_len` long; each match a piece) and
// leaves the text between matches as pieces. `min_len` > 1 for fixed-length patterns.
template <class Pred>
void class_stage(Stage& s, Pred in_class, size_t min_len, size_t max_len) {
    for (size_t pos = s.begin(); pos < s.end();) {
        size_t n = 0;
        while (n < max_len && s.in(pos + n) && in_class(s.at(pos + n))) ++n;
        if (n >= min_len) {
            s.cut(pos);
            s.cut(pos += n);
        } else {
            ++pos;
        }
    }
    s.cut(s.end());
}

bool default_symbol(char32_t c) {  // [\p{P}\$\+<=>\^~\|]
    return is_unicode_punctuation(c) || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' ||
           c == '^' || c == '~' || c == '|';
}

enum class StageKind { Gpt2, Llama3, Qwen2, EachNumber, NumberRuns, DigitTriples, DefaultSymbols };

Segments run_stage(const std::vector<char32_t>& cps, const Segments& in, StageKind k) {
    Segments out;
    out.reserve(in.size() * 2);
    size_t start = 0;
    for (size_t len : in) {
        Stage s(cps, start, start + len, out);
        switch (k) {
            case StageKind::Gpt2: gpt2_stage(s); break;
            case StageKind::Llama3: llama3_stage(s, 3); break;
            case StageKind::Qwen2: llama3_stage(s, 1); break;
            case StageKind::EachNumber: class_stage(s, is_unicode_number, 1, 1); break;
            case StageKind::NumberRuns: class_stage(s, is_unicode_number, 1, SIZE_MAX); break;
            case StageKind::DigitTriples:
                class_stage(s, [](char32_t c) { return c >= '0' && c <= '9'; }, 3, 3);
                break;
            case StageKind::DefaultSymbols: class_stage(s, default_symbol, 1, SIZE_MAX); break;
        }
        start += len;
    }
    return out;
}

std::vector<StageKind> stages(PreTokenizer p) {
    switch (p) {
        case PreTokenizer::Gpt2: return {StageKind::Gpt2};
        case PreTokenizer::Smollm: return {StageKind::EachNumber, StageKind::Gpt2};
        case PreTokenizer::Llama3: return {StageKind::Llama3};
        case PreTokenizer::Qwen2: return {StageKind::Qwen2};
        case PreTokenizer::Default: break;
    }
    return {StageKind::DefaultSymbols, StageKind::Gpt2, StageKind::NumberRuns, StageKind::DigitTriples};
}

}  // namespace

std::optional<PreTokenizer> pre_tokenizer_from_name(std::string_view n) {
    if (n == "default") return PreTokenizer::Default;
    if (n == "llama3" || n == "llama-v3" || n == "llama-bpe" || n == "falcon3" || n == "pixtral" ||
        n == "dbrx" || n == "smaug-bpe")
        return PreTokenizer::Llama3;
    if (n == "qwen2" || n == "deepseek-r1-qwen" || n == "megrez" || n == "stablelm2") return PreTokenizer::Qwen2;
    if (n == "smollm" || n == "starcoder" || n == "refact" || n == "command-r" || n == "codeshell" ||
        n == "exaone" || n == "minerva-7b")
        return PreTokenizer::Smollm;
    if (n == "gpt-2" || n == "phi-2" || n == "mpt" || n == "olmo" || n == "jais" || n == "roberta-bpe")
        return PreTokenizer::Gpt2;
    return std::nullopt;
}

const char* pre_tokenizer_name(PreTokenizer p) {
    switch (p) {
        case PreTokenizer::Gpt2: return "gpt-2";
        case PreTokenizer::Smollm: return "smollm";
        case PreTokenizer::Llama3: return "llama-bpe";
        case PreTokenizer::Qwen2: return "qwen2";
        case PreTokenizer::Default: break;
    }
    return "default";
}

std::vector<char32_t> utf8_code_points(std::string_view t) {
    std::vector<char32_t> out;
    out.reserve(t.size());
    for (size_t i = 0; i < t.size();) {
        const uint8_t c = uint8_t(t[i]);
        const size_t len = c < 0x80 ? 1 : c < 0xC0 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 0;
        bool ok = len > 0 && i + len <= t.size();
        for (size_t k = 1; ok && k < len; ++k) ok = (uint8_t(t[i + k]) & 0xC0) == 0x80;
        if (!ok) {
            out.push_back(kReplacement);
            ++i;
            continue;
        }
        char32_t v = len == 1 ? c : char32_t(c & (0x7F >> len));
        for (size_t k = 1; k < len; ++k) v = (v << 6) | (uint8_t(t[i + k]) & 0x3F);
        out.push_back(v);
        i += len;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | ((cp >> 18) & 0x07));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer p) {
    const std::vector<char32_t> cps = utf8_code_points(text);
    if (cps.empty()) return {};
    Segments seg{cps.size()};
    for (StageKind k : stages(p)) seg = run_stage(cps, seg, k);
    std::vector<std::string> words;
    words.reserve(seg.size());
    size_t start = 0;
    for (size_t len : seg) {
        std::string w;
        for (size_t i = start; i < start + len; ++i) append_utf8(w, cps[i]);
        words.push_back(std::move(w));
        start += len;
    }
    return words;
}

}  // namespace xl
