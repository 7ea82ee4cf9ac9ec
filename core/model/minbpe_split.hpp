// Pre-tokenisation of minbpe's RegexTokenizer: the text is cut into chunks by the GPT-2 or
// GPT-4 split pattern before byte-pair merges run inside each chunk. std::regex has no
// \p{L}/\p{N}, so both patterns are hand-written matchers over UTF-8 code points that follow
// the alternation order and quantifier semantics (greedy, possessive, lookahead) of the
// patterns exactly as the Python `regex` module applies them with findall.
//
//   auto p = xl::split_pattern_from_text(line2_of_tokenizer_model);   // std::nullopt if unknown
//   for (std::string_view chunk : xl::split_text("Hello world!", *p)) ...  // "Hello", " world", "!"
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl {

enum class SplitPattern {
    None,  // minbpe BasicTokenizer: the whole text is one chunk (empty pattern line)
    GPT2,  // '(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    GPT4,  // '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+
};

// The pattern as minbpe writes it on line 2 of tokenizer.model; nullopt when not one of the above.
std::optional<SplitPattern> split_pattern_from_text(const std::string& pattern);

// Chunks of `text` (views into it) in order; their concatenation is `text`. Invalid UTF-8
// bytes count as single non-letter, non-number, non-space characters.
std::vector<std::string_view> split_text(std::string_view text, SplitPattern pattern);

// Unicode classes as the Python `regex` module defines \p{L}, \p{N} and \s.
bool is_unicode_letter(char32_t c);
bool is_unicode_number(char32_t c);
bool is_unicode_space(char32_t c);

}  // namespace xl
