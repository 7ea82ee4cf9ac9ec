// The product's engine: the Llama-family forward pass on Vulkan compute (issue 2).
// Weights are uploaded once; run() records the whole pass (embedding, blocks, final norm,
// chunked classifier and per-token NLL) into one command buffer and one submit; only the losses
// (and optionally the last logits / one attention map) come back.
//
//   xl::VulkanForward gpu(model);                   // automatic device; VulkanForward(model, 1) overrides
//   std::printf("device: %s\n", gpu.device_name().c_str());
//   xl::ForwardResult r = gpu.run({tokens, plan});  // r.nll[i] = −log p(tokens[i+1] | tokens[..i])
// Block recipes follow core/ref/cpu_forward.cpp (PreNorm / PostFirstNorm, SwiGLU / SiLU,
// RMSNorm / LayerNorm); the CPU reference is the oracle of tests/test_gpu_forward.cpp.
#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/forward/forward.hpp"

namespace xl {

namespace gpu {
class Context;
}

class VulkanForward : public Forward {
public:
    explicit VulkanForward(const Model& model, int device_index = -1);
    // Share a context (and its compiled pipelines) between several engines, e.g. in tests.
    VulkanForward(const Model& model, std::shared_ptr<gpu::Context> context);
    ~VulkanForward() override;

    ForwardResult run(const ForwardRequest& request) override;
    std::string device_name() const override;
    int64_t max_tokens() const override;
    MemoryEstimate memory_estimate(int64_t n) const override;
    bool head_logits(const float* hidden, int rows,
                     const std::function<void(int first_row, int rows, const float* logits)>& sink) override;
    // The eviction simulation on this engine's device (core/forward/vulkan_eviction.cpp).
    EvictionEngine* eviction() override;

    gpu::Context& context();
    // Per-section GPU times (ms) of the last run, when profiling is on (timestamp queries).
    void set_profiling(bool on);
    const std::vector<std::pair<std::string, double>>& last_timings() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace xl
