// Pre-tokenizers of GGUF `gpt2` (byte-level BPE) vocabularies, as llama.cpp applies them: the text
// is cut into words, and BPE merges run inside each word. The GGUF key tokenizer.ggml.pre names
// the pre-tokenizer; each is a chain of regexes, every stage splitting the pieces of the one
// before (the matches and the text between them become pieces). Hand-written matchers, since
// std::regex has no \p{L}/\p{N}:
//   Gpt2:    's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)  (then \s+)
//   Smollm:  \p{N}  then Gpt2   (also starcoder, refact, command-r, codeshell, exaone, minerva)
//   Llama3:  (?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|
//            \p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//   Qwen2:   as Llama3 with \p{N} in place of \p{N}{1,3}
//   Default: [\p{P}\$\+<=>\^~\|]+  then Gpt2  then \p{N}+  then [0-9][0-9][0-9]
// Text is read as llama.cpp reads it: a byte that does not start a well-formed UTF-8 sequence
// becomes U+FFFD, and words come back as UTF-8 of the code points.
//
//   auto p = xl::pre_tokenizer_from_name("smollm");            // std::nullopt if unknown
//   std::vector<std::string> words = xl::pre_tokenize("Hello 42!", *p);  // "Hello"," ","4","2","!"
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl {

enum class PreTokenizer { Gpt2, Smollm, Llama3, Qwen2, Default };

// tokenizer.ggml.pre -> pre-tokenizer (llama.cpp's names); nullopt for names it does not know.
std::optional<PreTokenizer> pre_tokenizer_from_name(std::string_view name);
const char* pre_tokenizer_name(PreTokenizer p);

std::vector<std::string> pre_tokenize(std::string_view text, PreTokenizer p);

// Code points as llama.cpp decodes UTF-8 (a malformed lead or continuation byte -> U+FFFD, one byte).
std::vector<char32_t> utf8_code_points(std::string_view text);
void append_utf8(std::string& out, char32_t cp);

bool is_unicode_punctuation(char32_t c);  // \p{P}

}  // namespace xl
