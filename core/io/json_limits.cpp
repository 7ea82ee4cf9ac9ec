#include "core/io/json_limits.hpp"

namespace xl {

nlohmann::json parse_json_limited(std::string_view text, const std::string& subject, ErrorKind kind, int max_depth) {
    using json = nlohmann::json;
    // The parser itself is iterative; the callback sees every value's depth before it is kept.
    auto limit = [&](int depth, json::parse_event_t, json&) {
        if (depth > max_depth)
            throw Error(kind, subject, "JSON nested deeper than " + std::to_string(max_depth) + " levels");
        return true;
    };
    try {
        return json::parse(text.begin(), text.end(), limit);
    } catch (const json::exception& e) {
        throw Error(kind, subject, std::string("not valid JSON: ") + e.what());
    }
}

std::string json_excerpt(const nlohmann::json& j, size_t max_chars) {
    std::string s = j.dump();  // j comes from parse_json_limited: bounded depth
    if (s.size() > max_chars) s = s.substr(0, max_chars) + "...";
    return s;
}

}  // namespace xl
