// KV-cache eviction policies: which cache entries survive when a cache of `budget` entries
// overflows after a chunk. Entries are in slot order (= ascending original token index).
//   window      the last `budget` entries (plain sliding window)
//   streaming   the first `sinks` entries (attention sinks) + the most recent ones
//               (StreamingLLM, Xiao et al. 2023, §3.2)
//   h2o         the most recent round(recent_share·budget) entries + the rest by the attention each
//               entry has accumulated from every query so far, summed over heads (H2O, Zhang et
//               al. 2023, §3 "heavy hitters"; here one kept set per layer, not per head)
//   snapkv      the observation window (the keys of the chunk's last `observe` queries) + the rest
//               by the attention those queries paid, summed over heads and max-pooled over
//               neighbouring slots with kernel `pool` (SnapKV, Li et al. 2024, §4.2; per layer)
// Ties go to the earlier slot. Every policy keeps exactly min(m, budget) entries.
#pragma once
#include <string>
#include <vector>

namespace xl {

enum class EvictionPolicy { Window, Streaming, H2O, SnapKV };

// How cached keys are positioned (the two bookkeepings users meet):
//   Reassigned  keys are cached before rotation and rotated at their slot in the cache at each
//               step; the chunk's queries sit at cache length + offset (StreamingLLM's code).
//   Original    keys keep the rotation of their original position; queries at their original
//               positions (a cache of rotated keys, as Hugging Face's SinkCache users expect).
enum class PositionBookkeeping { Reassigned, Original };

struct EvictionPolicyParams {
    EvictionPolicy policy = EvictionPolicy::Streaming;
    int budget = 256;           // entries kept per layer between chunks
    int sinks = 4;              // streaming: first entries always kept
    double recent_share = 0.5;  // h2o: share of the budget for the most recent entries
    int observe = 8;            // snapkv: observation window (queries and kept keys)
    int pool = 7;               // snapkv: max-pool kernel over slots (odd)
};

// Throws Error(BadArgument) naming the offending parameter (budget < 1, sinks >= budget, ...).
void validate(const EvictionPolicyParams& p);

// Slots (ascending) of the entries kept out of m. accumulated[j]: attention entry j received
// from all queries so far (h2o); votes[j]: from the observation window of the last chunk
// (snapkv); either may be empty when the policy does not read it. margin (optional) is lowered
// to the relative gap (a − b)/|a| between the lowest score kept (a) and the highest evicted (b)
// when the policy chose by score: how close the choice came to a tie (0: an exact tie, decided
// by slot order).
std::vector<int> eviction_keep(const EvictionPolicyParams& p, int m, const std::vector<double>& accumulated,
                               const std::vector<double>& votes, double* margin = nullptr);

// Names as used in the CLI, presets and tables ("window", "streaming", "h2o", "snapkv";
// "reassigned", "original"); parse throws Error(BadArgument) listing the valid names.
std::string policy_name(EvictionPolicy p);
EvictionPolicy parse_policy(const std::string& name);
std::string bookkeeping_name(PositionBookkeeping b);
PositionBookkeeping parse_bookkeeping(const std::string& name);

}  // namespace xl
