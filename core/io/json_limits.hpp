// JSON from untrusted files (presets, session and view state, Hugging Face config.json,
// tokenizer.json, safetensors headers): parsed with a nesting limit, because nlohmann's dump,
// copy and comparison recurse per level and "[[[[..." 100k deep would overflow the stack.
//
//   nlohmann::json j = xl::parse_json_limited(text, path, xl::ErrorKind::BadFile);
//   throw Error(..., "'x' must be a number, got " + xl::json_excerpt(j["x"]));   // bounded text
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace xl {

constexpr int kMaxJsonDepth = 64;

// Throws Error(kind, subject, "not valid JSON: ...") or "(nested deeper than 64 levels)".
nlohmann::json parse_json_limited(std::string_view text, const std::string& subject, ErrorKind kind,
                                  int max_depth = kMaxJsonDepth);

// j.dump() cut to `max_chars` characters (error messages quote values without copying a file).
std::string json_excerpt(const nlohmann::json& j, size_t max_chars = 80);

}  // namespace xl
