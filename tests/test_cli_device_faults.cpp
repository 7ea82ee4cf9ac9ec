// Device memory exhaustion and a lost device (injected: core/gpu/fault_injection.hpp) end the
// CLI with exit code 2 and one error line naming the problem, never a crash.
#include <doctest/doctest.h>

#include <cstdlib>

#include "test_cli_run.hpp"

namespace {

const std::string kModel = " --model '" + cli_shared("models/stories260K/stories260K.bin") + "' --tokenizer '" +
                           cli_shared("models/stories260K/tok512.bin") + "'";

CliRun run_with(const char* var, const char* value, const std::string& args) {
    setenv(var, value, 1);
    CliRun r = run_cli(args);
    unsetenv(var);
    return r;
}

}  // namespace

TEST_CASE("cli device faults: device memory runs out while uploading the weights") {
    const CliRun r = run_with("XL_TEST_DEVICE_MEMORY_MB", "1", "eval" + kModel + " --method none --lengths 64");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("extrapolab: error:") != std::string::npos);
    CHECK(r.err.find("VK_ERROR_OUT_OF_DEVICE_MEMORY") != std::string::npos);
}

TEST_CASE("cli device faults: a buffer larger than the device memory is refused before allocating") {
    const CliRun r = run_with("XL_TEST_DEVICE_MEMORY_MB", "0", "eval" + kModel + " --method none --lengths 64");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("is larger than the device's 0 MiB of memory") != std::string::npos);
}

TEST_CASE("cli device faults: a device lost in the middle of a run") {
    const CliRun r = run_with("XL_TEST_DEVICE_LOST_AFTER", "1", "eval" + kModel + " --method none --lengths 64,128");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("VK_ERROR_DEVICE_LOST") != std::string::npos);
    // And without the fault the same command succeeds.
    CHECK(run_cli("eval" + kModel + " --method none --lengths 64,128").code == 0);
}
