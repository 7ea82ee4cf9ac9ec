// The request checks shared by every Forward backend (CPU reference and Vulkan).
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "core/forward/attention_stats.hpp"
#include "core/forward/forward.hpp"

namespace xl {

void validate_request(const ModelConfig& c, const ForwardRequest& r, int64_t max_n, const std::string& device) {
    const int64_t n = int64_t(r.tokens.size());
    if (n < 1) throw Error(ErrorKind::BadArgument, "", "forward pass needs at least one token");
    if (n > max_n)
        throw Error(ErrorKind::OutOfMemory, device,
                    std::to_string(n) + " tokens exceed what the memory can hold (at most " +
                        std::to_string(max_n) + ")");
    for (int t : r.tokens)
        if (t < 0 || t >= c.vocab_size)
            throw Error(ErrorKind::BadArgument, "", "token id " + std::to_string(t) + " outside the vocabulary");
    const PositionPlan& p = r.plan;
    const bool rope = !p.inv_freq.empty();
    const bool ok = int64_t(p.query_scale.size()) >= n &&
                    (!rope || (int64_t(p.near.q_pos.size()) >= n && int64_t(p.near.k_pos.size()) >= n)) &&
                    (!rope || !p.far.enabled ||
                     (int64_t(p.far.pos.q_pos.size()) >= n && int64_t(p.far.pos.k_pos.size()) >= n)) &&
                    (p.alibi_slopes.empty() || int(p.alibi_slopes.size()) >= c.n_heads) &&
                    p.rope_dim <= c.head_dim && (!rope || int(p.inv_freq.size()) >= p.rope_dim / 2) &&
                    (p.xpos.zeta.empty() || int(p.xpos.zeta.size()) >= p.rope_dim / 2);
    if (!ok)
        throw Error(ErrorKind::BadArgument, p.method,
                    "position plan built for " + std::to_string(p.seq_len) + " tokens does not fit a request of " +
                        std::to_string(n) + " tokens on this model");
    if (r.want_attention && (r.probe.layer < 0 || r.probe.layer >= c.n_layers || r.probe.head < -1 ||
                             r.probe.head >= c.n_heads || r.probe.grid < 0))
        throw Error(ErrorKind::BadArgument, "", "attention probe outside the model's layers/heads");
    if (int(r.attention_rows.size()) > kMaxAttentionRows)
        throw Error(ErrorKind::BadArgument, "", std::to_string(r.attention_rows.size()) +
                                                    " attention rows asked for (at most " +
                                                    std::to_string(kMaxAttentionRows) + ")");
    for (int row : r.attention_rows)
        if (row < 0 || row >= n)
            throw Error(ErrorKind::BadArgument, "attention row " + std::to_string(row),
                        "outside the request's " + std::to_string(n) + " tokens");
    for (int l : r.hidden_layers)
        if (l < 0 || l >= c.n_layers)
            throw Error(ErrorKind::BadArgument, "layer " + std::to_string(l),
                        "hidden states asked for outside the model's " + std::to_string(c.n_layers) + " layers");
    if (r.stats.want && r.stats.sink_tokens < 0)
        throw Error(ErrorKind::BadArgument, "", "attention statistics asked for with a negative number of sink tokens");
    // Counts are 32-bit: one bin of one layer's bucket holds at most heads × (that bucket's pairs).
    if (r.stats.want && r.stats.logit_histogram && int64_t(c.n_heads) * stats_most_pairs_per_bucket(n) > int64_t(UINT32_MAX))
        throw Error(ErrorKind::BadArgument, std::to_string(n) + " tokens",
                    "too long for the logit histogram (32-bit counts: heads × the query-key pairs of its fullest distance bucket)");
    if (!r.hidden_layers.empty() && !r.hidden_sink)
        throw Error(ErrorKind::BadArgument, "", "hidden layers asked for without a sink to receive them");
}

}  // namespace xl
