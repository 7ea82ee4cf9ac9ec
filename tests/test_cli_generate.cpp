// `extrapolab generate`: the bundled model's greedy story, and --show-top's per-step candidates
// (the chosen token marked, the top-2 margin) on stderr.
#include <doctest/doctest.h>

#include "test_cli_run.hpp"

TEST_CASE("cli generate: greedy story of the bundled model, with the candidates of each step") {
    const CliRun r = run_cli("generate --tokens 14 --show-top 3 --cpu");
    REQUIRE(r.code == 0);
    CHECK(r.out.find("Once upon a time, there was a little girl named Lily") != std::string::npos);
    CHECK(r.err.find("step 1: *'") != std::string::npos);   // BOS only: the first step sees one token
    CHECK(r.err.find("(margin ") != std::string::npos);
    int steps = 0;
    for (size_t at = r.err.find("\nstep "); at != std::string::npos; at = r.err.find("\nstep ", at + 1)) ++steps;
    CHECK(steps >= 13);
}
