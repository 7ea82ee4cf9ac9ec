// The scalar CPU reference of the whole forward pass (the oracle for tests). Built from the
// per-op reference functions in core/ref/ops.hpp, each of which is the CPU twin of one shader.
// Clarity over speed: float32 storage, double accumulation where it makes the oracle robust.
#pragma once
#include "core/forward/forward.hpp"

namespace xl {

class CpuForward : public Forward {
public:
    explicit CpuForward(const Model& model);
    ForwardResult run(const ForwardRequest& request) override;
    std::string device_name() const override { return "CPU reference"; }
    int64_t max_tokens() const override;

private:
    const Model& model_;
    std::vector<std::vector<float>> dequantized_;  // cached float copies of weights
};

}  // namespace xl
