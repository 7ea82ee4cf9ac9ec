// Computes Results for a Session in stages, publishing after each so the UI never waits for
// the slow parts (DESIGN.md #8):
//   1. per configuration: plan, RoPE table, one forward pass over the first eval_length tokens
//      (per-position loss) with the selected layer/head's attention reduced to a grid;
//      (a preview, while a slider moves, stops here: see ComputeRequest::preview_budget_s);
//   2. live layer-0 q·k by distance (Logit decay panel, when shown);
//   3. the perplexity-vs-length sweep under the session's protocol (Perplexity panel);
//   4. per-layer attention entropy and receptive field over all heads (Entropy / ALiBi panels);
//   5. positional vectors of every layer (Positional vectors panel; before the sweep when asked);
//   6. the needle grid and retrieval heads (Needle panel; before the sweep when asked);
//   7. attention-logit spread per distance bucket and layer (Attention logits panel; before the sweep).
//
//   ComputeRequest req{session, view.layer, view.head};
//   auto results = compute_results(req, engine, ctx);   // ctx: JobContext (progress, cancel)
#pragma once
#include <functional>
#include <memory>

#include "core/session/engine.hpp"
#include "core/session/results.hpp"
#include "core/session/session.hpp"

namespace xl {

struct ComputeRequest {
    Session session;
    int layer = 0, head = 0;             // attention probe (head −1 = mean)
    DefaultData defaults;                // used where the session leaves a path empty
    uint64_t generation = 0;
    int entropy_max_tokens = 1024;       // entropy/receptive field length cap (n² per head)
    bool want_logit = true;              // stage 2 (live q·k, CPU n²); the app asks while Logit decay is open
    bool want_kl = true;                 // stage 1 keeps the window's logits for KL to A; the app asks
                                         // while the difference view is on (a download per forward)
    bool want_entropy = true;            // stage 3 (all heads of all layers: the slowest); the app asks
                                         // for it only while the Entropy or ALiBi panel is open
    bool want_evict = false;             // the KV-cache eviction grid (chunk by chunk, slow): the app asks
                                         // while that panel is open, headless figures when a preset lists it
    bool want_logit_spread = true;       // attention-logit spread (one pass per configuration counting
                                         // logits per distance); the app asks while that panel is open
    bool want_posvec = true;             // positional vectors (session.posvec_windows forward passes per
                                         // configuration); the app asks while that panel is open
    bool want_needle = true;             // needle grid (one pass per cell and configuration); the app
                                         // asks while the Needle panel is open
    // > 0: a preview while a slider moves: only stage 1, over the longest prefix of the eval window
    // that the measured cost of the last pass says lands within this many seconds; not
    // interruptible (it is short, and each one must land). 0: the full computation, whose
    // forward passes stop between layers as soon as a newer request arrives.
    double preview_budget_s = 0;
    // > 0 (the app, on a full computation): after stage 1, each configuration's pass at the length
    // a preview within this budget will have is computed into the stage cache (cancellable), so
    // that a drag recomputes only the configuration being dragged. 0: no warm-up (headless).
    double warm_preview_budget_s = 0;
};

// Shortest preview and its granularity: lengths are powers of two so that the stage cache hits
// while one slider moves. 32: on a real model on lavapipe a pass of 16-32 tokens costs about its
// fixed part (SmolLM2 on 2 cores: 466 ms at 16, 426 ms at 32, 706 ms at 64; `extrapolab bench`).
constexpr int kMinPreviewTokens = 32;

// Tokens of a preview of a `full`-token window for `passes` forward passes within `budget_s`,
// from the last measured pass (cost linear in n below the measured length, quadratic above:
// both overestimate). Returns `full` when the whole window fits the budget.
int preview_length(const PassCost& last, int full, int passes, double budget_s);

// Hooks into the job runner; both may be empty (headless).
struct ComputeHooks {
    std::function<void()> check;                                     // throws to cancel
    std::function<void(double, const std::string&)> progress;
    std::function<void(std::shared_ptr<const Results>)> publish;
};

// Session paths after defaults and resolution against session.base_dir.
std::string session_model_path(const ComputeRequest& req);
std::string session_tokenizer_path(const ComputeRequest& req);
std::string session_text_path(const ComputeRequest& req);

// A configuration whose pass fails keeps its error in its ConfigResult; a failed Vulkan call (a
// lost device, device memory exhausted: subject "Vulkan") fails the whole job instead (the app's
// error dialog), and after a lost device the engine starts over on a fresh one at the next job.
std::shared_ptr<const Results> compute_results(const ComputeRequest& req, Engine& engine, const ComputeHooks& hooks);

}  // namespace xl
