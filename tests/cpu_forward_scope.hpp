// Runs a test case's session computations on the CPU reference (XL_FORWARD=cpu) for the scope's
// lifetime, keeping session tests independent of the GPU engine, which has tests of its own.
#pragma once

#include <cstdlib>

namespace xl::test {

struct CpuForwardScope {
    CpuForwardScope() { setenv("XL_FORWARD", "cpu", 1); }
    ~CpuForwardScope() { unsetenv("XL_FORWARD"); }
};

}  // namespace xl::test
