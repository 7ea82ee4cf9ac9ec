// Compute off the UI thread (DESIGN.md #8): one worker thread, a generation counter, the latest
// request wins. A job reports progress, may publish partial results (a quick stage first, then a
// long sweep) and checks for cancellation between units of work. Results are immutable and shared.
//
//   JobRunner runner;
//   runner.submit([=](JobContext& ctx) {
//       auto r = std::make_shared<Results>();  ... ctx.publish(r);       // quick stage shown now
//       for (...) { ctx.check(); ctx.progress(k / n, "sweep"); }         // throws when superseded
//       return r2;
//   });
//   auto shown = runner.latest();      // UI: draw the last finished results every frame
//   runner.status().progress;          // progress bar; runner.cancel() stops the running job
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/session/results.hpp"

namespace xl {

struct JobCancelled {};  // thrown by JobContext::check(); swallowed by the runner

class JobRunner;

class JobContext {
public:
    uint64_t generation() const { return generation_; }
    bool cancelled() const;                       // superseded by a newer request, or cancel()
    void check() const { if (cancelled()) throw JobCancelled{}; }
    void progress(double fraction, const std::string& message);
    // Makes partial results visible now (if newer than what is shown).
    void publish(std::shared_ptr<const Results> r);

private:
    friend class JobRunner;
    JobContext(JobRunner& runner, uint64_t generation) : runner_(runner), generation_(generation) {}
    JobRunner& runner_;
    uint64_t generation_;
};

using Job = std::function<std::shared_ptr<const Results>(JobContext&)>;

struct JobStatus {
    bool busy = false;               // a job is running or waiting
    double progress = 0;             // of the running job, 0..1
    std::string message;             // what it is doing
    uint64_t requested = 0;          // generation of the newest request
    uint64_t shown = 0;              // generation of latest()
    std::string error;               // message of the newest failed job ("" after a success)
    uint64_t error_generation = 0;
};

class JobRunner {
public:
    JobRunner();
    ~JobRunner();                    // cancels and joins
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    uint64_t submit(Job job);        // returns its generation; older jobs become cancelled
    void cancel();                   // cancels the running and the waiting job
    std::shared_ptr<const Results> latest() const;
    JobStatus status() const;
    bool wait_idle(double timeout_seconds) const;  // true when no job is running or waiting

private:
    friend class JobContext;
    void loop();
    void offer(std::shared_ptr<const Results> r, uint64_t generation);

    mutable std::mutex mutex_;
    mutable std::condition_variable cv_;
    Job pending_;
    uint64_t pending_generation_ = 0;
    bool running_ = false;
    bool stop_ = false;
    std::atomic<uint64_t> requested_{0};
    std::atomic<uint64_t> cancel_below_{0};   // generations below this are cancelled
    std::shared_ptr<const Results> latest_;
    uint64_t shown_ = 0;
    double progress_ = 0;
    std::string message_, error_;
    uint64_t error_generation_ = 0;
    std::thread thread_;
};

}  // namespace xl
