// What the stages of one computation share (core/session/compute.cpp runs them in order): the
// request, the engine, the hooks and the Results being filled. Internal to core/session.
#pragma once
#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/posenc/method.hpp"
#include "core/session/compute.hpp"

namespace xl::compute_detail {

using Clock = std::chrono::steady_clock;

struct Run {
    const ComputeRequest& req;
    Engine& engine;
    const ComputeHooks& hooks;
    Results r;
    Clock::time_point t0 = Clock::now();
    // Losses of finished passes over window(n) by (configuration, n), for the sweep to replay.
    std::map<std::pair<size_t, int>, std::vector<float>> window_nll;

    void check() const { if (hooks.check) hooks.check(); }
    void progress(double f, const std::string& m) const { if (hooks.progress) hooks.progress(f, m); }
    void publish() {
        r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        if (hooks.publish) hooks.publish(std::make_shared<const Results>(r));
    }
    std::vector<int> window(int n) const {
        const auto& t = engine.stream().tokens;
        return std::vector<int>(t.begin(), t.begin() + std::min<size_t>(t.size(), size_t(n)));
    }
};

// An error of a failed Vulkan call (core/gpu/vk_check.cpp's vk_fail names "Vulkan" as its subject):
// it fails the whole job, where a refusal or a method error stays with its configuration.
bool vulkan_failure(const Error& e);

// The view stages (core/session/compute_views.cpp), each before the sweep while its panel is open.
void stage_posvec(Run& run, const std::vector<MethodSpec>& specs);        // positional vectors
void stage_needle(Run& run, const std::vector<MethodSpec>& specs);        // needle grid
void stage_evict(Run& run, const std::vector<MethodSpec>& specs);         // KV-cache eviction
void stage_logit_spread(Run& run, const std::vector<MethodSpec>& specs);  // attention-logit spread

}  // namespace xl::compute_detail
