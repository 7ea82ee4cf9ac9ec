// The job runner: latest request wins, cancelled jobs never overwrite newer results, progress
// and errors are reported, partial results are published.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/session/job_runner.hpp"

namespace {

std::shared_ptr<const xl::Results> make(int tag) {
    auto r = std::make_shared<xl::Results>();
    r->eval_length = tag;
    return r;
}

}  // namespace

TEST_CASE("jobs: the latest request wins and older running jobs are cancelled") {
    xl::JobRunner runner;
    std::atomic<bool> first_started{false}, first_cancelled{false};
    runner.submit([&](xl::JobContext& ctx) -> std::shared_ptr<const xl::Results> {
        first_started = true;
        for (int i = 0; i < 2000; ++i) {
            if (ctx.cancelled()) { first_cancelled = true; ctx.check(); }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return make(1);
    });
    while (!first_started) std::this_thread::yield();
    runner.submit([](xl::JobContext&) { return make(2); });
    runner.submit([](xl::JobContext&) { return make(3); });   // replaces the waiting job 2
    REQUIRE(runner.wait_idle(10));
    CHECK(first_cancelled);
    REQUIRE(runner.latest());
    CHECK(runner.latest()->eval_length == 3);
    CHECK(runner.status().shown == 3);
    CHECK_FALSE(runner.status().busy);
}

TEST_CASE("jobs: partial results, progress, errors and cancel") {
    xl::JobRunner runner;
    std::atomic<bool> go{false};
    runner.submit([&](xl::JobContext& ctx) {
        ctx.publish(make(10));
        ctx.progress(0.5, "sweep");
        while (!go) { ctx.check(); std::this_thread::sleep_for(std::chrono::milliseconds(1)); }
        return make(11);
    });
    for (int i = 0; i < 2000 && !runner.latest(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    REQUIRE(runner.latest());
    CHECK(runner.latest()->eval_length == 10);
    CHECK(runner.status().message == "sweep");
    CHECK(runner.status().busy);
    runner.cancel();
    REQUIRE(runner.wait_idle(10));
    CHECK(runner.latest()->eval_length == 10);   // the cancelled job left the partial result

    runner.submit([](xl::JobContext&) -> std::shared_ptr<const xl::Results> { throw std::runtime_error("model.bin: broken"); });
    REQUIRE(runner.wait_idle(10));
    CHECK(runner.status().error == "model.bin: broken");
    CHECK(runner.latest()->eval_length == 10);   // a failure keeps the last good results
}
