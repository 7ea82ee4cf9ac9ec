// Immutable results of one computation over a Session (DESIGN.md #7): built by the job runner's
// worker, shared as std::shared_ptr<const Results>, drawn by panels and written by exporters.
// Everything a number depends on (model, text, protocol, method spec and convention, device) is
// named here so that figures and CSV files can say it.
//
//   std::shared_ptr<const Results> r = runner.latest();
//   for (const ConfigResult& c : r->configs) c.ppl[k] ...   // perplexity at r->lengths[k]
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/forward/forward.hpp"
#include "core/metrics/eviction_sweep.hpp"
#include "core/metrics/needle.hpp"
#include "core/metrics/logit_spread.hpp"
#include "core/metrics/positional_vectors.hpp"
#include "core/model/model.hpp"
#include "core/posenc/method.hpp"
#include "core/posenc/position_plan.hpp"

namespace xl {

// Attention probabilities of one layer/head, reduced to rows×cols cells (row = query block).
struct AttentionGrid {
    int layer = 0, head = 0;           // head -1 = mean over heads
    int rows = 0, cols = 0;
    int seq_len = 0;                   // tokens covered
    std::vector<float> p;              // rows*cols; masked (future) cells NaN
};

struct ConfigResult {
    char label = 'A';
    std::string method;                // canonical spec
    std::string convention;            // plan.convention
    std::string error;                 // why this configuration could not be computed ("" = fine)
    PositionPlan plan;                 // at eval_length
    RopeTable rope;                    // per-pair analytic view (empty inv_freq for non-RoPE models)
    // Models with several layer kinds (Gemma 3 local/global): each kind's name and table (its own
    // base; the method where `layers=` applies it, plain RoPE elsewhere). `rope` is the primary kind's.
    std::vector<std::pair<std::string, RopeTable>> kind_rope;
    std::vector<double> position_loss; // mean NLL per position at eval_length (NaN where unscored)
    // Hidden states after the final norm ([n][dim], shared: Results are copied on publish), kept for
    // the KL view instead of n × vocab logits; null when not asked for or the backend returns none.
    std::shared_ptr<const std::vector<float>> hidden;
    std::vector<double> kl_to_first;   // KL(P_A ‖ P_this) per position (NaN at 0 / unavailable)
    double eval_ppl = 0;               // perplexity of the eval-length window(s)
    AttentionGrid attention;           // selected layer/head
    std::vector<double> ppl, ppl_stderr;   // per Results::lengths (NaN = not computed yet)
    std::vector<std::vector<double>> entropy;      // [layer][position]: mean over heads, nats
    std::vector<std::vector<double>> receptive;    // [layer][distance d]: attention mass within d (mean over heads, queries)
    std::vector<std::vector<double>> sink_mass;    // [layer][query i]: attention mass on the first 4 keys (mean over heads)
    std::vector<double> qk_by_distance;            // live layer-0 q·k/√d vs distance (mean over heads)
    // Positional vectors of every layer at eval_length (shared: cached across tab switches); null
    // until computed (the Positional vectors panel).
    std::shared_ptr<const PositionalVectors> posvec;
    double posvec_seconds = 0;                     // forward passes + analysis of this configuration
    // Needle grid (tasks × session.needle_lengths × needle_depths) with every head's retrieval
    // score (shared: cached across tab switches); null until computed (the Needle panel).
    std::shared_ptr<const NeedleGrid> needle;
    // Attention-logit spread per distance bucket and layer at eval_length (shared, cached); null
    // until computed (the Attention logits panel).
    std::shared_ptr<const LogitSpread> logit_spread;
    double logit_seconds = 0;                      // its forward pass
};

struct Results {
    uint64_t generation = 0;
    std::string model_path, model_name, text_path, device, protocol, protocol_description;
    ModelConfig config;                // copy of the model's configuration (no weights)
    int train_length = 0;              // best knowledge of the training length
    int eval_length = 0;               // tokens this result covers (a preview's prefix length)
    int preview_of = 0;                // > 0: a preview over the first eval_length of preview_of tokens,
                                       // drawn while a slider moves and never exported
    int text_tokens = 0;
    std::vector<int> lengths;          // sweep lengths
    int max_windows = 0;               // windows per length in the sweep (0 = all)
    std::vector<ConfigResult> configs;
    bool sweep_done = false;           // all lengths computed
    int sweep_replayed = 0;            // sweep windows answered by an earlier pass (stage 1, entropy)
    bool entropy_done = false;
    bool posvec_done = false;          // positional vectors of every configuration computed
    bool logit_spread_done = false;    // attention-logit spread of every configuration computed
    int posvec_windows = 0;            // windows the positional vectors average (asked for)
    // KV-cache eviction (CPU reference): the grid over every enabled configuration's method, and
    // the kept-token map of the session's map cell for configuration A's method, probe layer/head
    // of the view; null until computed (the KV eviction panel).
    std::shared_ptr<const EvictionSweep> evict;
    std::shared_ptr<const EvictionResult> evict_map;
    std::string evict_map_label;       // "streaming, reassigned, budget 64"
    std::string evict_map_method;
    int evict_map_layer = 0, evict_map_head = 0, evict_chunk = 0;
    bool evict_done = false;
    bool needle_done = false;          // the needle grid of every configuration computed
    MemoryEstimate memory;             // device memory of a pass at eval_length (before the run)
    double seconds = 0;                // wall time so far
    std::vector<std::string> warnings;
};

}  // namespace xl
