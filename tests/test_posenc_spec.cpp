// Method spec parsing: "name:k=v,k=v" joined by '+', canonical text, and the errors of bad specs.
#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/posenc/method.hpp"

using namespace xl;

namespace {
// The BadArgument message of a spec that must not parse.
std::string parse_error(const std::string& text) {
    try {
        parse_method_spec(text);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::BadArgument);
        CHECK(e.subject() == text);
        return e.what();
    }
    FAIL("spec parsed but should not: " << text);
    return {};
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("posenc spec: name, keys and combinations") {
    MethodSpec s = parse_method_spec("yarn:s=4,orig=512+logn");
    CHECK(s.name == "yarn");
    CHECK(s.params.at("s") == "4");
    CHECK(s.get("orig", 0) == 512);
    CHECK(s.get("beta_fast", 32) == 32);
    REQUIRE(s.extra.size() == 1);
    CHECK(s.extra[0].name == "logn");
    CHECK(s.canonical() == "yarn:s=4,orig=512+logn");
}

TEST_CASE("posenc spec: canonical text orders keys as declared and normalises numbers") {
    CHECK(parse_method_spec(" yarn : orig=512 , s=4.0 ").canonical() == "yarn:s=4,orig=512");
    CHECK(parse_method_spec("abf:base=1e+6").canonical() == "abf:base=1000000");
    CHECK(parse_method_spec("abf:base=1e+6+logn").extra.size() == 1);
    CHECK(parse_method_spec("pi:s=2").canonical() == "linear:s=2");  // alias
    CHECK(parse_method_spec("yarn:").canonical() == "yarn");
}

TEST_CASE("posenc spec: errors name the spec and list what is valid") {
    std::string m = parse_error("yarm:s=4");
    CHECK(contains(m, "unknown method 'yarm'"));
    CHECK(contains(m, "yarn"));
    m = parse_error("yarn:scale=4");
    CHECK(contains(m, "unknown key 'scale'"));
    CHECK(contains(m, "beta_fast"));
    CHECK(contains(m, "orig"));
    m = parse_error("linear:s=four");
    CHECK(contains(m, "must be a number"));
    CHECK(contains(m, "s (default 4)"));
    CHECK(contains(parse_error("linear:s=4x"), "must be a number"));
    CHECK(contains(parse_error("linear:s=nan"), "must be a number"));
    CHECK(contains(parse_error("yarn:conv=vllm"), "hf|hf-a|hf-b|llamacpp|paper"));
    CHECK(contains(parse_error("linear:s"), "needs a value"));
    CHECK(contains(parse_error("linear:s=2,s=3"), "given twice"));
    CHECK(contains(parse_error("linear:s=2,,"), "empty parameter"));
    CHECK(contains(parse_error("yarn+"), "empty method"));
    CHECK(contains(parse_error(""), "empty method"));
}

TEST_CASE("posenc spec: every registered method is listed with a description") {
    const auto methods = list_methods();
    REQUIRE(methods.size() >= 9);
    for (const char* name : {"none", "linear", "ntk", "dynntk", "yarn", "abf", "logn", "logn_len", "alibi"}) {
        bool found = false;
        for (const auto& [n, d] : methods)
            if (n == name) found = !d.empty();
        CHECK_MESSAGE(found, name);
        CHECK_NOTHROW(parse_method_spec(name));
    }
}
