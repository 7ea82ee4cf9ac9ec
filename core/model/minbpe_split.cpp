// Hand-written matchers for the GPT-2 and GPT-4 split patterns (minbpe regex.py constants).
// At each position the alternatives are tried in pattern order and the first that matches
// wins, as in a backtracking regex engine; each matcher returns its length in code points.
#include "core/model/minbpe_split.hpp"

namespace xl {
namespace {

const char* const kGpt2Pattern =
    R"('(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";
const char* const kGpt4Pattern =
    R"('(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";

constexpr char32_t kInvalid = 0xFFFD;  // stands for a byte that is not valid UTF-8 (a symbol)

// Decodes one code point at text[pos]; returns its byte length (1 for invalid bytes).
size_t decode_utf8(std::string_view t, size_t pos, char32_t& cp) {
    auto b = [&](size_t k) { return uint8_t(t[pos + k]); };
    uint8_t c = b(0);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || pos + len > t.size()) return cp = kInvalid, 1;
    if (len == 1) return cp = c, 1;
    char32_t v = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
        if ((b(k) & 0xC0) != 0x80) return cp = kInvalid, 1;
        v = (v << 6) | (b(k) & 0x3F);
    }
    static const char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < kMin[len] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return cp = kInvalid, 1;
    return cp = v, len;
}

class Matcher {
public:
    explicit Matcher(std::string_view text) {
        for (size_t pos = 0; pos < text.size();) {
            char32_t cp;
            size_t len = decode_utf8(text, pos, cp);
            cps_.push_back(cp);
            offs_.push_back(pos);
            pos += len;
        }
        offs_.push_back(text.size());
    }
    size_t size() const { return cps_.size(); }
    size_t byte_offset(size_t i) const { return offs_[i]; }
    size_t gpt2(size_t i) const;
    size_t gpt4(size_t i) const;

private:
    char32_t at(size_t i) const { return i < cps_.size() ? cps_[i] : 0; }
    bool has(size_t i) const { return i < cps_.size(); }
    bool letter(size_t i) const { return has(i) && is_unicode_letter(cps_[i]); }
    bool number(size_t i) const { return has(i) && is_unicode_number(cps_[i]); }
    bool space(size_t i) const { return has(i) && is_unicode_space(cps_[i]); }
    bool other(size_t i) const { return has(i) && !letter(i) && !number(i) && !space(i); }  // [^\s\p{L}\p{N}]
    template <class Pred>
    size_t run(size_t i, Pred p) const {  // length of the maximal run of p from i
        size_t k = i;
        while (p(k)) ++k;
        return k - i;
    }
    size_t contraction(size_t i, bool ignore_case) const;
    size_t trailing_space(size_t i) const;  // \s+(?!\S)|\s+

    std::vector<char32_t> cps_;  // code points
    std::vector<size_t> offs_;   // byte offset of each code point, plus the text size
};

// '(?:[sdmt]|ll|ve|re) — ASCII only; GPT-4 makes the letters case-insensitive.
size_t Matcher::contraction(size_t i, bool ignore_case) const {
    if (at(i) != U'\'') return 0;
    auto lower = [&](size_t k) -> char32_t {
        char32_t c = at(k);
        return ignore_case && c >= 'A' && c <= 'Z' ? c + 32 : c;
    };
    char32_t a = lower(i + 1), b = lower(i + 2);
    if (a == 's' || a == 'd' || a == 'm' || a == 't') return 2;
    if ((a == 'l' && b == 'l') || (a == 'v' && b == 'e') || (a == 'r' && b == 'e')) return 3;
    return 0;
}

// \s+(?!\S) gives back one character when the run is followed by a non-space; else \s+.
size_t Matcher::trailing_space(size_t i) const {
    size_t k = run(i, [&](size_t j) { return space(j); });
    if (k == 0) return 0;
    if (!has(i + k) || k >= 2) return has(i + k) ? k - 1 : k;
    return k;  // a single space before a non-space: the final \s+ alternative takes it
}

size_t Matcher::gpt2(size_t i) const {
    if (size_t n = contraction(i, false)) return n;
    size_t sp = at(i) == U' ' ? 1 : 0;
    if (size_t n = run(i + sp, [&](size_t j) { return letter(j); })) return sp + n;   //  ?\p{L}+
    if (size_t n = run(i + sp, [&](size_t j) { return number(j); })) return sp + n;   //  ?\p{N}+
    if (size_t n = run(i + sp, [&](size_t j) { return other(j); })) return sp + n;    //  ?[^\s\p{L}\p{N}]+
    return trailing_space(i);
}

size_t Matcher::gpt4(size_t i) const {
    if (size_t n = contraction(i, true)) return n;
    // [^\r\n\p{L}\p{N}]?+\p{L}+ : the optional prefix is possessive (never given back).
    size_t pre = has(i) && at(i) != U'\r' && at(i) != U'\n' && !letter(i) && !number(i) ? 1 : 0;
    if (size_t n = run(i + pre, [&](size_t j) { return letter(j); })) return pre + n;
    if (size_t n = run(i, [&](size_t j) { return number(j); })) return n < 3 ? n : 3;  // \p{N}{1,3}
    // ' ?[^\s\p{L}\p{N}]++[\r\n]*'
    size_t sp = at(i) == U' ' ? 1 : 0;
    if (size_t n = run(i + sp, [&](size_t j) { return other(j); }))
        return sp + n + run(i + sp + n, [&](size_t j) { return at(j) == U'\r' || at(j) == U'\n'; });
    // \s*[\r\n] : the longest whitespace prefix that ends in \r or \n.
    size_t ws = run(i, [&](size_t j) { return space(j); });
    for (size_t k = ws; k > 0; --k)
        if (at(i + k - 1) == U'\r' || at(i + k - 1) == U'\n') return k;
    return trailing_space(i);
}

}  // namespace

std::optional<SplitPattern> split_pattern_from_text(const std::string& pattern) {
    if (pattern.empty()) return SplitPattern::None;
    if (pattern == kGpt2Pattern) return SplitPattern::GPT2;
    if (pattern == kGpt4Pattern) return SplitPattern::GPT4;
    return std::nullopt;
}

std::vector<std::string_view> split_text(std::string_view text, SplitPattern pattern) {
    std::vector<std::string_view> chunks;
    if (text.empty()) return chunks;
    if (pattern == SplitPattern::None) return {text};
    Matcher m(text);
    for (size_t i = 0; i < m.size();) {
        size_t n = pattern == SplitPattern::GPT4 ? m.gpt4(i) : m.gpt2(i);
        if (n == 0) n = 1;  // cannot happen for these patterns (every character matches some branch)
        size_t a = m.byte_offset(i), b = m.byte_offset(i + n);
        chunks.push_back(text.substr(a, b - a));
        i += n;
    }
    return chunks;
}

}  // namespace xl
