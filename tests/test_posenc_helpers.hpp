// Helpers for the position-method tests: synthetic model configurations of the shapes the
// reference's worked values use (Llama-2 7B, Llama-3.1 8B, an ALiBi model).
#pragma once
#include <cmath>
#include <string>

#include "core/model/model.hpp"

namespace xl::test {

inline ModelConfig rope_config(int head_dim, double base, int train_ctx, int n_heads = 4) {
    ModelConfig c;
    c.name = "synthetic-rope";
    c.architecture = "llama";
    c.n_heads = n_heads;
    c.n_kv_heads = n_heads;
    c.head_dim = head_dim;
    c.dim = head_dim * n_heads;
    c.rope_dim = head_dim;
    c.rope_base = float(base);
    c.train_context_length = c.file_context_length = train_ctx;
    c.position = PositionSignal::RoPE;
    return c;
}

inline ModelConfig alibi_config(int n_heads, int head_dim = 8, int train_ctx = 128) {
    ModelConfig c;
    c.name = "synthetic-alibi";
    c.architecture = "alilama";
    c.n_heads = n_heads;
    c.n_kv_heads = n_heads;
    c.head_dim = head_dim;
    c.dim = head_dim * n_heads;
    c.train_context_length = c.file_context_length = train_ctx;
    c.position = PositionSignal::ALiBi;
    return c;
}

inline double rel_err(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

}  // namespace xl::test
