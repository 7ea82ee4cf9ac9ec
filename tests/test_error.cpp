#include <doctest/doctest.h>
#include "core/error.hpp"
TEST_CASE("errors name their subject") {
    xl::Error e(xl::ErrorKind::BadFile, "m.gguf", "truncated");
    CHECK(std::string(e.what()) == "m.gguf: truncated");
    CHECK(e.kind() == xl::ErrorKind::BadFile);
}
