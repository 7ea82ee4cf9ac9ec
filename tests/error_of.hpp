// Tests of bad input: the xl::Error a call throws (a failed check when it throws none), and
// whether its message names a part.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"

namespace xl::test {

template <class F>
Error error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no xl::Error thrown");
    return Error(ErrorKind::BadArgument, "", "");
}

inline bool has(const Error& e, const std::string& part) { return std::string(e.what()).find(part) != std::string::npos; }

}  // namespace xl::test
