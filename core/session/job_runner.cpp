#include "core/session/job_runner.hpp"

#include <chrono>
#include <cstdlib>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace xl {

bool JobContext::cancelled() const { return generation_ < runner_.cancel_below_.load(); }

void JobContext::progress(double fraction, const std::string& message) {
    std::lock_guard<std::mutex> lock(runner_.mutex_);
    runner_.progress_ = fraction;
    runner_.message_ = message;
}

void JobContext::publish(std::shared_ptr<const Results> r) { runner_.offer(std::move(r), generation_); }

JobRunner::JobRunner() : thread_([this] { loop(); }) {}

JobRunner::~JobRunner() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_ = true;
        cancel_below_ = UINT64_MAX;
        pending_ = nullptr;
    }
    cv_.notify_all();
    thread_.join();
}

uint64_t JobRunner::submit(Job job) {
    uint64_t g;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        g = ++requested_;
        pending_ = std::move(job);
        pending_generation_ = g;
        cancel_below_ = g;   // everything older stops at its next check()
    }
    cv_.notify_all();
    return g;
}

void JobRunner::cancel() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        pending_ = nullptr;
        cancel_below_ = requested_.load() + 1;
        message_ = "cancelled";
    }
    cv_.notify_all();
}

std::shared_ptr<const Results> JobRunner::latest() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return latest_;
}

JobStatus JobRunner::status() const {
    std::lock_guard<std::mutex> lock(mutex_);
    JobStatus s;
    s.busy = running_ || pending_ != nullptr;
    s.progress = progress_;
    s.message = message_;
    s.requested = requested_;
    s.shown = shown_;
    s.error = error_;
    s.error_generation = error_generation_;
    return s;
}

bool JobRunner::wait_idle(double timeout_seconds) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                        [this] { return !running_ && pending_ == nullptr; });
}

void JobRunner::offer(std::shared_ptr<const Results> r, uint64_t generation) {
    if (!r) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (generation < shown_) return;  // never go back to older results
    latest_ = std::move(r);
    shown_ = generation;
}

void JobRunner::loop() {
#ifdef __linux__
    // The worker yields to the UI thread: compute never makes frames late (DESIGN.md #8).
    // XL_COMPUTE_NICE overrides the niceness (10) for measurements.
    const char* nice = std::getenv("XL_COMPUTE_NICE");
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), nice ? std::atoi(nice) : 10);
#endif
    for (;;) {
        Job job;
        uint64_t g = 0;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            cv_.wait(lock, [this] { return stop_ || pending_ != nullptr; });
            if (stop_) return;
            job = std::move(pending_);
            pending_ = nullptr;
            g = pending_generation_;
            running_ = true;
            progress_ = 0;
            message_ = "starting";
        }
        JobContext ctx(*this, g);
        std::string error;
        std::shared_ptr<const Results> result;
        try {
            result = job(ctx);
        } catch (const JobCancelled&) {
        } catch (const std::exception& e) {
            error = e.what();
        }
        offer(result, g);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_ = false;
            if (!error.empty() || result) {
                error_ = error;
                error_generation_ = g;
            }
            if (result) { progress_ = 1; message_ = "done"; }
        }
        cv_.notify_all();
    }
}

}  // namespace xl
