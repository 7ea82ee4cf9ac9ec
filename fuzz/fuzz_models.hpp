// Small model configurations for harnesses that plan methods (no weights needed).
#pragma once
#include "core/model/model.hpp"

namespace xl::fuzz {

inline const ModelConfig& rope_model() {
    static const ModelConfig c = [] {
        ModelConfig m;
        m.architecture = "llama";
        m.dim = 64, m.hidden_dim = 128, m.n_layers = 2, m.n_heads = 4, m.n_kv_heads = 2, m.head_dim = 16;
        m.vocab_size = 32;
        m.file_context_length = m.train_context_length = 32;
        m.rope_dim = 16;
        return m;
    }();
    return c;
}

inline const ModelConfig& alibi_model() {
    static const ModelConfig c = [] {
        ModelConfig m = rope_model();
        m.position = PositionSignal::ALiBi;
        m.rope_dim = 0;
        m.alibi_max_bias = 8;
        for (int h = 0; h < m.n_heads; ++h) m.alibi_slopes.push_back(1.f / float(2 << h));
        return m;
    }();
    return c;
}

}  // namespace xl::fuzz
