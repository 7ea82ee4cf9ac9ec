// The sentence that refuses a pass the device cannot hold (see forward.hpp: MemoryEstimate).
#include <string>

#include "core/forward/forward.hpp"

namespace xl {

namespace {
std::string mib(int64_t bytes) { return std::to_string((bytes + (1 << 19)) >> 20) + " MiB"; }
}  // namespace

std::string describe_memory(const MemoryEstimate& m) {
    return mib(m.total()) + " (weights " + mib(m.weights) + ", activations " + mib(m.activations) +
           ", classifier chunk " + mib(m.logits) + ")" + (m.available > 0 ? " of " + mib(m.available) : "");
}

std::string memory_refusal(const Forward& forward, int64_t n) {
    const MemoryEstimate m = forward.memory_estimate(n);
    std::string s = std::to_string(n) + " tokens do not fit the memory of " + forward.device_name();
    if (m.total() > 0)
        s += ": a pass needs about " + mib(m.total()) + " (weights " + mib(m.weights) + ", activations " +
             mib(m.activations) + ", classifier chunk " + mib(m.logits) + ") and the device has " + mib(m.available);
    if (m.total() > 0 && m.available > 0 && m.total() <= m.available)  // memory holds it: a binding does not
        s += ", but one of its per-token buffers would exceed the largest storage buffer the device binds";
    return s + "; at most " + std::to_string(forward.max_tokens()) + " tokens per forward pass";
}

}  // namespace xl
