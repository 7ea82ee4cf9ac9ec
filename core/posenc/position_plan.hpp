// PositionPlan: everything the attention of the forward pass needs to know about positions,
// as plain data (DESIGN.md #6). A position method (core/posenc/*.cpp) compiles its parameters
// into a plan for a given model and sequence length; the CPU reference and the GPU shaders
// consume the plan and contain no method-specific branches.
//
// Attention score of query i and key j (0-based token indices, j <= i), head h:
//   visible(i,j)  = j <= i && (window == 0 || i - j < window || j < sinks)
//   branch        = (far.enabled && i - j >= far.neighbour_window) ? far : near
//   q_i, k_j      = RoPE(q, branch.q_pos[i]), RoPE(k, branch.k_pos[j])     (inv_freq, mscale)
//   score(i,j)    = query_scale[i] · (q_i · k_j) − alibi_slopes[h] · (i − j)
//   p(i,·)        = softmax over visible j
// query_scale[i] already contains 1/sqrt(head_dim), log-n factors and any softmax temperature.
// RoPE(x, p) rotates each pair j by angle p·inv_freq[j] and multiplies both channels by mscale
// (so the logit scales by mscale² through rotated channels only; ref §1).
#pragma once
#include <string>
#include <vector>

#include "core/model/model.hpp"

namespace xl {

// Positions used by one attention branch, per token. For plain RoPE both are 0,1,2,...
struct BranchPositions {
    std::vector<float> q_pos;  // position at which query i is rotated
    std::vector<float> k_pos;  // position at which key j is rotated
};

struct PositionPlan {
    std::string method;                 // canonical spec, e.g. "yarn:s=4,orig=512,beta_fast=32,beta_slow=1"
    std::string convention;             // named convention where implementations differ ("hf", "llama.cpp", ...)
    int seq_len = 0;                    // number of tokens the plan was built for
    int n_heads = 0;

    // RoPE (empty inv_freq = no rotation, e.g. ALiBi or NoPE models).
    RopeLayout layout = RopeLayout::Normal;
    int rope_dim = 0;                   // rotated dims per head (pairs = rope_dim/2); rest pass through
    std::vector<float> inv_freq;        // θ'_j per pair, radians per position, size rope_dim/2
    float mscale = 1.f;                 // magnitude on cos and sin (YaRN attention factor)

    // xPos magnitudes (ref §14), applied at the rotation positions of each branch.
    struct Xpos {
        std::vector<float> zeta;        // ζ_j per pair, size rope_dim/2; empty = no xPos
        float scale_base = 512;         // γ (torchscale scale_base): exponents are ±(p − c)/γ
        float centre = 0;               // c: position at which both factors are 1
    } xpos;

    BranchPositions near;               // positions of the (default) branch
    struct Far {
        bool enabled = false;
        int neighbour_window = 0;       // i - j >= this uses the far branch (ReRoPE w, Self-Extend W)
        BranchPositions pos;
    } far;

    std::vector<float> query_scale;     // per query i; includes 1/sqrt(head_dim)
    std::vector<float> alibi_slopes;    // per head; empty = no ALiBi bias
    int window = 0;                     // sliding-window size in keys (0 = unlimited)
    int sinks = 0;                      // first `sinks` keys always visible (attention sinks)

    std::vector<std::string> notes;     // human-readable remarks (e.g. "dynamic: α = 2.0 at L = 1024")

    // Models with several layer kinds (ModelConfig::layer_kinds, e.g. Gemma 3 local/global):
    // one complete plan per kind, in kind order; the method applies to the kinds chosen by the
    // spec key `layers=` and the other kinds get their plain RoPE plan (own base and window).
    // Empty = this plan for every layer. When filled, the fields above repeat per_kind[primary_kind].
    std::vector<PositionPlan> per_kind;
    int primary_kind = 0;               // first kind the method applies to
};

// The plan layer `layer` of the model uses: plan.per_kind[kind of layer], or plan itself.
const PositionPlan& plan_for_layer(const PositionPlan& plan, const ModelConfig& config, int layer);

}  // namespace xl
