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
#include <functional>
#include <string>
#include <vector>

#include "core/forward/attention_stats.hpp"
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
    // The same rows streamed in chunks instead of one buffer (KL on long windows, 262k vocabularies):
    // sink(first_row, rows, logits[rows][vocab]) with first_row counted from all_logits_from; the
    // pointer is valid during the call only. When set, all_logits stays empty.
    std::function<void(int first_row, int rows, const float* logits)> logits_sink;
    // Hidden states after the final norm, [n][dim] (what the classifier reads): kept instead of
    // n × vocab logits, turned into logits chunk by chunk with Forward::head_logits.
    bool want_final_hidden = false;
    // Residual stream after each listed block (0-based layers, any order; before any final norm):
    // hidden_sink(layer, x[n][dim]) once per listed layer, in layer order; the pointer is valid
    // during the call only (positional vectors, core/metrics/positional_vectors.hpp). With
    // want_nll false and no logits asked for, no classifier runs at all.
    std::vector<int> hidden_layers;
    std::function<void(int layer, const float* hidden)> hidden_sink;
    // Attention probabilities of these query rows over every key, in every layer and head
    // (needle retrieval: the answer tokens' attention): ForwardResult::row_attention. At most
    // kMaxAttentionRows rows, each in 0..n-1; no n×n map is made.
    std::vector<int> attention_rows;
    // Called between layers, inside them (after the projections, the attention, the MLP's first
    // products) and between classifier chunks, with the fraction of the layers done so far; may
    // throw to abandon an out-of-date pass (the job runner's cancellation), so that a stop waits
    // for one segment of a layer, not a whole one. A backend that honours it submits work in
    // segments. cancel_only() adapts a plain check.
    std::function<void(double done)> checkpoint;
    // Attention statistics of every layer and head from this pass (core/forward/attention_stats.hpp).
    AttentionStatsRequest stats;
};

// A checkpoint that only checks for cancellation (empty when `check` is).
inline std::function<void(double)> cancel_only(const std::function<void()>& check) {
    if (!check) return {};
    return [check](double) { check(); };
}

struct ForwardResult {
    std::vector<float> nll;           // size n-1; nll[i] predicts tokens[i+1] from tokens[0..i]
    std::vector<float> last_logits;   // size vocab when requested
    std::vector<float> attention;     // rows×cols, row-major, when requested (masked = 0)
    int attention_rows = 0, attention_cols = 0;
    double seconds = 0;               // wall time of the run (for progress display; not a benchmark)
    std::vector<float> all_logits;    // (n − all_logits_from) × vocab, row-major, when requested and supported
    std::vector<float> final_hidden;  // n × dim when want_final_hidden and supported
    // [layer][head][row][key] for ForwardRequest::attention_rows (L·H·R·n floats; masked keys = 0).
    std::vector<float> row_attention;
    AttentionStats stats;             // when stats.want
};

// Most query rows ForwardRequest::attention_rows may ask for (the buffer is L·H·R·n floats).
constexpr int kMaxAttentionRows = 256;
// Index of p(row r attends key j) in layer l, head h of ForwardResult::row_attention.
inline size_t row_attention_index(int heads, int rows, int n, int l, int h, int r, int j) {
    return ((size_t(l) * size_t(heads) + size_t(h)) * size_t(rows) + size_t(r)) * size_t(n) + size_t(j);
}

// Device memory a pass over n tokens takes (bytes), for the estimate shown before a run.
struct MemoryEstimate {
    int64_t weights = 0;              // resident model weights
    int64_t activations = 0;          // per-token buffers at n tokens (linear in n)
    int64_t logits = 0;               // one classifier chunk (independent of n)
    int64_t available = 0;            // device memory the backend may use (0 = unknown)
    int64_t total() const { return weights + activations + logits; }
};

class Forward;
class EvictionEngine;  // core/ref/kv_eviction.hpp
// "531 MiB (weights 130 MiB, activations 337 MiB, classifier chunk 64 MiB) of 15 GiB" (memory_estimate.cpp).
std::string describe_memory(const MemoryEstimate& m);
// Why n tokens are refused: the estimate against the device's memory and the longest pass that fits.
std::string memory_refusal(const Forward& forward, int64_t n);

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
    // Weights + activations + classifier chunk at n tokens; backends without an estimate return zeros.
    virtual MemoryEstimate memory_estimate(int64_t n) const { (void)n; return {}; }
    // Classifier logits of `rows` hidden states ([rows][dim], as ForwardResult::final_hidden) streamed
    // to sink in chunks; false when the backend does not support it (callers check).
    virtual bool head_logits(const float* hidden, int rows,
                             const std::function<void(int first_row, int rows, const float* logits)>& sink) {
        (void)hidden; (void)rows; (void)sink;
        return false;
    }
    // The KV-cache eviction simulation on this backend's device and weights (owned by the
    // backend), or null when it has none: the caller then runs the CPU reference (EvictionSimulator).
    virtual EvictionEngine* eviction() { return nullptr; }
};

}  // namespace xl
