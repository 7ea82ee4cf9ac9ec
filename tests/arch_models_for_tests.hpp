// Test helper: small random-weight GGUF models of every supported architecture (llama with
// Llama-3 rope_freqs and a Mistral window, qwen2, qwen3, gemma3, phi3), F32 weights, no
// vocabulary. Options drop a key or a tensor, or change a tensor's shape, for the error tests.
//
//   xl::test::ArchModel a{"gemma3"};
//   a.drop_key = "gemma3.attention.sliding_window";
//   std::string path = a.write(tmp);
#pragma once
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/model/gguf_llama.hpp"
#include "core/model/load_model.hpp"
#include "gguf_writer_for_tests.hpp"
#include "model_test_files.hpp"

namespace xl::test {

struct ArchModel {
    std::string arch = "llama";
    int dim = 32, hidden = 64, heads = 4, kv = 2, layers = 3, vocab = 96, context = 256;
    std::string drop_key, drop_tensor, bad_shape_tensor;  // options for the error tests
    uint32_t seed = 7;

    int head_dim() const { return arch == "gemma3" ? 16 : dim / heads; }  // gemma3: key_length ≠ dim/heads
    int rope_dim() const { return arch == "phi3" ? head_dim() / 2 : head_dim(); }  // phi3: partial rotary

    std::string write(const TempDir& tmp) const {
        GgufWriter w;
        std::mt19937 rng(seed);
        auto values = [&](size_t n, float lo, float hi) {
            std::uniform_real_distribution<float> d(lo, hi);
            std::vector<float> v(n);
            for (auto& x : v) x = d(rng);
            return v;
        };
        const std::string a = arch + ".";
        auto u32 = [&](const std::string& k, uint32_t v) { if (k != drop_key) w.add_u32(k, v); };
        auto f32 = [&](const std::string& k, float v) { if (k != drop_key) w.add_f32(k, v); };
        w.add_string("general.architecture", arch);
        w.add_string("general.name", "synthetic " + arch);
        u32(a + "context_length", uint32_t(context));
        u32(a + "embedding_length", uint32_t(dim));
        u32(a + "block_count", uint32_t(layers));
        u32(a + "feed_forward_length", uint32_t(hidden));
        u32(a + "attention.head_count", uint32_t(heads));
        u32(a + "attention.head_count_kv", uint32_t(kv));
        f32(a + "attention.layer_norm_rms_epsilon", 1e-6f);
        f32(a + "rope.freq_base", arch == "gemma3" ? 1e6f : 10000.f);
        u32(a + "rope.dimension_count", uint32_t(rope_dim()));
        if (arch == "gemma3") {
            u32(a + "attention.key_length", uint32_t(head_dim()));
            u32(a + "attention.value_length", uint32_t(head_dim()));
            u32(a + "attention.sliding_window", 8);
            u32(a + "attention.sliding_window_pattern", 2);  // local, global, local, ...
            f32(a + "rope.freq_base_swa", 100.f);
        }
        if (arch == "llama") u32(a + "attention.sliding_window", 16);  // Mistral-style
        if (arch == "phi3") {
            w.add_string(a + "rope.scaling.type", "longrope");
            u32(a + "rope.scaling.original_context_length", uint32_t(context / 4));
        }
        const int hd = head_dim(), qd = heads * hd, kvd = kv * hd;
        auto tensor = [&](const std::string& name, int rows, int cols, float lo, float hi) {
            if (name == drop_tensor) return;
            const std::vector<float> v = values(size_t(rows) * size_t(cols), lo, hi);
            std::vector<uint64_t> ne = rows == 1 ? std::vector<uint64_t>{uint64_t(cols)}
                                                 : std::vector<uint64_t>{uint64_t(cols), uint64_t(rows)};
            if (name == bad_shape_tensor) ne[0] += 1;
            std::vector<float> data = v;
            if (name == bad_shape_tensor) data.resize(size_t(ne[0]) * (rows == 1 ? 1 : size_t(rows)), 0.f);
            w.add_tensor(name, kGgmlF32, ne, to_f32(data));
        };
        const float s = 0.35f;
        tensor("token_embd.weight", vocab, dim, -1.f, 1.f);
        for (int l = 0; l < layers; ++l) {
            const std::string b = "blk." + std::to_string(l) + ".";
            tensor(b + "attn_norm.weight", 1, dim, 0.7f, 1.3f);
            if (arch == "phi3") {
                tensor(b + "attn_qkv.weight", qd + 2 * kvd, dim, -s, s);
            } else {
                tensor(b + "attn_q.weight", qd, dim, -s, s);
                tensor(b + "attn_k.weight", kvd, dim, -s, s);
                tensor(b + "attn_v.weight", kvd, dim, -s, s);
            }
            if (arch == "qwen2") {
                tensor(b + "attn_q.bias", 1, qd, -0.5f, 0.5f);
                tensor(b + "attn_k.bias", 1, kvd, -0.5f, 0.5f);
                tensor(b + "attn_v.bias", 1, kvd, -0.5f, 0.5f);
            }
            if (arch == "qwen3" || arch == "gemma3") {
                tensor(b + "attn_q_norm.weight", 1, hd, 0.5f, 1.5f);
                tensor(b + "attn_k_norm.weight", 1, hd, 0.5f, 1.5f);
            }
            tensor(b + "attn_output.weight", dim, qd, -s, s);
            tensor(b + "ffn_norm.weight", 1, dim, 0.7f, 1.3f);
            if (arch == "phi3") {
                tensor(b + "ffn_up.weight", 2 * hidden, dim, -s, s);
            } else {
                tensor(b + "ffn_gate.weight", hidden, dim, -s, s);
                tensor(b + "ffn_up.weight", hidden, dim, -s, s);
            }
            tensor(b + "ffn_down.weight", dim, hidden, -s, s);
            if (arch == "gemma3") {
                tensor(b + "post_attention_norm.weight", 1, dim, 0.3f, 1.f);
                tensor(b + "post_ffw_norm.weight", 1, dim, 0.3f, 1.f);
            }
        }
        tensor("output_norm.weight", 1, dim, 0.7f, 1.3f);
        if (arch != "gemma3") tensor("output.weight", vocab, dim, -0.5f, 0.5f);
        if (arch == "llama") tensor("rope_freqs.weight", 1, rope_dim() / 2, 1.f, 8.f);
        if (arch == "phi3") {
            tensor("rope_factors_long.weight", 1, rope_dim() / 2, 1.f, 6.f);
            tensor("rope_factors_short.weight", 1, rope_dim() / 2, 1.f, 1.5f);
        }
        const std::string path = tmp.path(arch + ".gguf");
        w.write(path);
        return path;
    }
};

inline const std::vector<std::string>& all_architectures() {
    static const std::vector<std::string> a = {"llama", "qwen2", "qwen3", "gemma3", "phi3"};
    return a;
}

// A random-weight model of every architecture (written into tmp: biases, q/k norms, Gemma 3's
// post-norms and local layers, partial rotary) and the real ALiBi model (alilama: LayerNorm, the
// residual after the first norm): what a whole-pass feature is checked on, row by row.
inline std::vector<Model> every_architecture_and_alibi(const TempDir& tmp) {
    std::vector<Model> models;
    for (const std::string& arch : all_architectures()) models.push_back(load_gguf_model(ArchModel{arch}.write(tmp)));
    const std::string alilama = shared("models/alilama/");
    models.push_back(load_model(alilama + "alilama_batches_512_470K.pth", alilama + "tokenizer.model"));
    return models;
}

// n tokens that cycle through the vocabulary (deterministic, every id in range).
inline std::vector<int> cyclic_tokens(int n, int vocab) {
    std::vector<int> tokens(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) tokens[size_t(i)] = (i * 37 + 11) % vocab;
    return tokens;
}

}  // namespace xl::test
