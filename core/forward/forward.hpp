// The forward pass as a service: tokens + a PositionPlan in, per-token losses (and optionally
// one layer/head's attention probabilities, or the last token's logits) out.
// Two implementations share this interface: xl::CpuForward (core/ref, the scalar oracle) and
// xl::VulkanForward (core/forward, the product's engine).
//
//   VulkanForward gpu(model, device_index);        // uploads weights once
//   ForwardRequest req{tokens, plan};
//   ForwardResult r = gpu.run(req);                 // r.nll[i] = −log p(tokens[i+1] | tokens[..i])
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/model/model.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

// Which attention probabilities to return (attention-map path).
struct AttentionProbe {
    int layer = 0;
    int head = 0;     // -1 = mean over heads
    int grid = 0;     // 0 = full n×n; else reduced to grid×grid by averaging blocks of rows/cols
};

struct ForwardRequest {
    std::vector<int> tokens;          // n tokens (usually starting with BOS)
    PositionPlan plan;                // built for tokens.size()
    bool want_nll = true;             // per-token NLL of tokens[1..n-1]
    bool want_last_logits = false;    // logits of the last position (generation)
    bool want_attention = false;      // probe below
    AttentionProbe probe;
    // Logits of positions all_logits_from .. n-1 (KL divergence, NBCE). Optional for a backend:
    // one that does not support it leaves ForwardResult::all_logits empty (callers check).
    bool want_all_logits = false;
    int all_logits_from = 0;
};

struct ForwardResult {
    std::vector<float> nll;           // size n-1; nll[i] predicts tokens[i+1] from tokens[0..i]
    std::vector<float> last_logits;   // size vocab when requested
    std::vector<float> attention;     // rows×cols, row-major, when requested (masked = 0)
    int attention_rows = 0, attention_cols = 0;
    double seconds = 0;               // wall time of the run (for progress display; not a benchmark)
    std::vector<float> all_logits;    // (n − all_logits_from) × vocab, row-major, when requested and supported
};

// Checks what every backend needs of a request: 1 <= n <= max_tokens, token ids inside the
// vocabulary, a plan whose arrays cover n tokens, and a probe inside the model's layers/heads.
// Throws Error(OutOfMemory) naming `device` for n > max_tokens, Error(BadArgument) otherwise.
void validate_request(const ModelConfig& config, const ForwardRequest& request, int64_t max_tokens,
                      const std::string& device);

class Forward {
public:
    virtual ~Forward() = default;
    virtual ForwardResult run(const ForwardRequest& request) = 0;
    virtual std::string device_name() const = 0;   // "CPU reference", "llvmpipe (LLVM 15...)", ...
    // Largest token count this backend can evaluate in one run (device memory); the caller
    // turns a longer request into ErrorKind::OutOfMemory before running.
    virtual int64_t max_tokens() const = 0;
};

}  // namespace xl
