// A Forward that answers one finished pass again and sends every other request to the backend.
// The perplexity sweep's first window at the eval length is, token for token, the pass stage 1
// ran for the same configuration (same method, hence the same plan for that length), so its
// losses are replayed instead of recomputed; any request that differs in tokens or asks for
// more than losses runs for real.
//
//   ReplayForward f(engine.forward(), run.window(n), nll_of_stage_1);
//   evaluate_perplexity(f, tokens, protocol, n, ...);   // window 0 replayed, the rest computed
#pragma once
#include <utility>
#include <vector>

#include "core/forward/forward.hpp"

namespace xl {

class ReplayForward final : public Forward {
public:
    ReplayForward(Forward& inner, std::vector<int> tokens, std::vector<float> nll)
        : inner_(inner), tokens_(std::move(tokens)), nll_(std::move(nll)) {}

    ForwardResult run(const ForwardRequest& r) override {
        if (!replays(r)) return inner_.run(r);
        ++replayed_;
        ForwardResult out;
        out.nll = nll_;
        return out;
    }
    std::string device_name() const override { return inner_.device_name(); }
    int64_t max_tokens() const override { return inner_.max_tokens(); }
    MemoryEstimate memory_estimate(int64_t n) const override { return inner_.memory_estimate(n); }
    bool head_logits(const float* hidden, int rows,
                     const std::function<void(int, int, const float*)>& sink) override {
        return inner_.head_logits(hidden, rows, sink);
    }
    EvictionEngine* eviction() override { return inner_.eviction(); }
    int replayed() const { return replayed_; }

private:
    bool replays(const ForwardRequest& r) const {
        return r.want_nll && !r.want_last_logits && !r.want_attention && !r.want_all_logits && !r.logits_sink &&
               !r.want_final_hidden && r.hidden_layers.empty() && r.attention_rows.empty() && !r.stats.want &&
               nll_.size() + 1 == tokens_.size() && r.tokens == tokens_;
    }

    Forward& inner_;
    std::vector<int> tokens_;
    std::vector<float> nll_;
    int replayed_ = 0;
};

}  // namespace xl
