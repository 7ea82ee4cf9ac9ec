// Attention masks (ref §15, §16): plain sliding window, attention sinks + window (StreamingLLM),
// and LM-Infinite's Λ-shaped mask. Visibility follows PositionPlan: j ≤ i and (i − j < window or
// j < sinks).
//   window      keys within w of the query; true distances.
//   sinks       StreamingLLM (start S, recent R): window R+1 (the R recent keys + the current token)
//               and S sinks; sinks are seen at cache distance d' = min(i, S+R) − j (far branch: q at
//               min(i, S+R), k at j), recent keys at their true distance (§15).
//   lminfinite  local n_local and n_global sinks; keys beyond the local band are seen at the capped
//               distance min(limit, i) (far branch: q at min(limit, i), k unrotated at 0); limit=0
//               means no cap (true distances).
#include <algorithm>

#include "core/posenc/method_args.hpp"
#include "core/posenc/plan_context.hpp"

namespace xl {
namespace {

int whole(const MethodArgs& a, const std::string& key, double model_default) {
    return a.whole(key, model_default, 0);
}

void build_window(const MethodArgs& a, PlanContext& c) {
    const int w = whole(a, "w", c.train_ctx);
    if (w < 1) a.fail("'w' must be >= 1");
    c.claim_mask(a);
    c.plan.window = w;
}

void build_sinks(const MethodArgs& a, PlanContext& c) {
    const int S = whole(a, "start", 0);
    const int R = whole(a, "recent", std::max(1, c.train_ctx - S - 1));
    c.claim_mask(a);
    c.plan.window = R + 1;
    c.plan.sinks = S;
    if (!c.rope_model) return;  // ALiBi: the bias uses true distances (mask only)
    c.claim_far(a);
    c.plan.far.neighbour_window = R + 1;
    c.plan.far.pos.q_pos.resize(c.n);
    c.plan.far.pos.k_pos.resize(c.n);
    for (int i = 0; i < c.n; ++i) {
        c.plan.far.pos.q_pos[i] = float(std::min(i, S + R));
        c.plan.far.pos.k_pos[i] = float(i);
    }
}

void build_lminfinite(const MethodArgs& a, PlanContext& c) {
    const int local = whole(a, "local", c.train_ctx);
    const int global = whole(a, "global", 0);
    const int limit = whole(a, "limit", local);
    if (local < 1) a.fail("'local' must be >= 1");
    c.claim_mask(a);
    c.plan.window = local;
    c.plan.sinks = global;
    if (limit == 0 || !c.rope_model) return;
    c.claim_far(a);
    c.plan.far.neighbour_window = local;
    c.plan.far.pos.q_pos.resize(c.n);
    c.plan.far.pos.k_pos.assign(c.n, 0.f);
    for (int i = 0; i < c.n; ++i) c.plan.far.pos.q_pos[i] = float(std::min(limit, i));
}

}  // namespace

void register_window(MethodRegistry& r) {
    r.add({"window", "sliding-window attention over the last w keys", "§16", MethodStage::Modifier,
           MethodApplies::Any, {{"w", KeyKind::Number, "", "training context (keys visible)", {}}},
           build_window, {"swa"}});
    r.add({"sinks", "StreamingLLM: attention sinks + recent window, positions within the cache", "§15",
           MethodStage::Modifier, MethodApplies::Any,
           {{"start", KeyKind::Number, "4", "sink tokens kept at the start", {}},
            {"recent", KeyKind::Number, "", "training context - start - 1 (recent keys)", {}}},
           build_sinks, {"streamingllm"}});
    r.add({"lminfinite", "LM-Infinite: Lambda-shaped mask + distance cap", "§16", MethodStage::Modifier,
           MethodApplies::Any,
           {{"local", KeyKind::Number, "", "training context (local branch, keys)", {}},
            {"global", KeyKind::Number, "10", "global branch: first keys always visible", {}},
            {"limit", KeyKind::Number, "", "local (distance cap; 0 = none)", {}}},
           build_lminfinite, {"lm-infinite"}});
}

}  // namespace xl
