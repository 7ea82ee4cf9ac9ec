#include "core/metrics/synthetic_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "core/error.hpp"
#include "core/model/quantize_rtn.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {

namespace {

struct Shape {
    const char* name;
    int dim, hidden, layers, heads, kv_heads, vocab, context;
    float rope_base;
    bool tied;
    const char* about;
};

// Shapes from the models' published configurations.
const Shape kShapes[] = {
    {"stories260k", 64, 172, 5, 8, 4, 512, 512, 10000.f, true, "llama2.c stories260K: dim 64, 5 layers, 8 heads (4 kv)"},
    {"stories15m", 288, 768, 6, 6, 6, 32000, 256, 10000.f, true, "llama2.c stories15M: dim 288, 6 layers, 6 heads"},
    {"stories110m", 768, 2048, 12, 12, 12, 32000, 1024, 10000.f, true, "llama2.c stories110M: dim 768, 12 layers"},
    {"smollm-135m", 576, 1536, 30, 9, 3, 49152, 2048, 10000.f, true, "SmolLM-135M: dim 576, 30 layers, 9 heads (3 kv)"},
    {"tinyllama-1.1b", 2048, 5632, 22, 32, 4, 32000, 2048, 10000.f, false,
     "TinyLlama-1.1B: dim 2048, 22 layers, 32 heads (4 kv), hidden 5632, vocab 32000"},
    {"llama2-7b", 4096, 11008, 32, 32, 32, 32000, 4096, 10000.f, false, "Llama-2-7B: dim 4096, 32 layers, 32 heads"},
};

// Owns every tensor's bytes.
struct Storage {
    std::vector<std::vector<uint8_t>> buffers;
};

class Filler {
public:
    Filler(Storage& s, uint64_t seed) : storage_(s), state_(seed * 0x9E3779B97F4A7C15ull + 1) {}

    Tensor matrix(const std::string& name, int64_t rows, int64_t cols, TensorType type) {
        // Rows that are not whole blocks stay F16, as llama.cpp's quantizer keeps such tensors.
        if (cols % type_info(type).block_elems != 0) type = TensorType::F16;
        Tensor t = alloc(name, rows, cols, type);
        uint8_t* p = storage_.buffers.back().data();
        const float a = 0.02f * std::sqrt(3.f);  // uniform [-a, a] has standard deviation 0.02
        std::vector<float> row(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
            for (float& x : row) x = a * (2.f * uniform() - 1.f);
            write_row(type, row, p + size_t(r) * row_bytes(type, cols));
        }
        return t;
    }

    Tensor ones(const std::string& name, int64_t n) {
        Tensor t = alloc(name, 1, n, TensorType::F32);
        float* f = reinterpret_cast<float*>(storage_.buffers.back().data());
        for (int64_t i = 0; i < n; ++i) f[i] = 1.f;
        return t;
    }

private:
    Tensor alloc(const std::string& name, int64_t rows, int64_t cols, TensorType type) {
        Tensor t;
        t.name = name;
        t.type = type;
        t.rows = rows;
        t.cols = cols;
        storage_.buffers.emplace_back(t.nbytes());
        t.data = storage_.buffers.back().data();
        return t;
    }

    float uniform() {  // xorshift64*, top 24 bits -> [0, 1)
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return float((state_ * 0x2545F4914F6CDD1Dull) >> 40) * (1.f / 16777216.f);
    }

    static void write_row(TensorType type, const std::vector<float>& row, uint8_t* out) {
        quantize_row(type, row.data(), int64_t(row.size()), out);
    }

    Storage& storage_;
    uint64_t state_;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> synthetic_shapes() {
    std::vector<std::pair<std::string, std::string>> out;
    for (const Shape& s : kShapes) out.emplace_back(s.name, s.about);
    return out;
}

Model make_synthetic_model(const std::string& shape, TensorType type, uint64_t seed) {
    const Shape* s = nullptr;
    for (const Shape& k : kShapes)
        if (shape == k.name) s = &k;
    if (!s) {
        std::string names;
        for (const Shape& k : kShapes) names += std::string(names.empty() ? "" : ", ") + k.name;
        throw Error(ErrorKind::BadArgument, shape, "unknown synthetic shape (known: " + names + ")");
    }
    auto storage = std::make_shared<Storage>();
    storage->buffers.reserve(size_t(s->layers) * 9 + 8);  // tensors point into these buffers
    Filler fill(*storage, seed);
    Model m;
    m.path = "synthetic:" + shape;
    ModelConfig& c = m.config;
    c.format = "synthetic";
    c.architecture = "llama";
    c.name = shape + " (random weights)";
    c.dim = s->dim, c.hidden_dim = s->hidden, c.n_layers = s->layers, c.n_heads = s->heads;
    c.n_kv_heads = s->kv_heads, c.head_dim = s->dim / s->heads, c.vocab_size = s->vocab;
    c.file_context_length = c.train_context_length = s->context;
    c.rope_base = s->rope_base, c.rope_dim = c.head_dim, c.tied_output = s->tied;
    const int64_t kv = int64_t(s->kv_heads) * c.head_dim;
    ModelWeights& w = m.weights;
    w.token_embedding = fill.matrix("token_embd.weight", s->vocab, s->dim, type);
    for (int l = 0; l < s->layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights lw;
        lw.attn_norm = fill.ones(p + "attn_norm.weight", s->dim);
        lw.wq = fill.matrix(p + "attn_q.weight", s->dim, s->dim, type);
        lw.wk = fill.matrix(p + "attn_k.weight", kv, s->dim, type);
        lw.wv = fill.matrix(p + "attn_v.weight", kv, s->dim, type);
        lw.wo = fill.matrix(p + "attn_output.weight", s->dim, s->dim, type);
        lw.ffn_norm = fill.ones(p + "ffn_norm.weight", s->dim);
        lw.w1 = fill.matrix(p + "ffn_gate.weight", s->hidden, s->dim, type);
        lw.w2 = fill.matrix(p + "ffn_down.weight", s->dim, s->hidden, type);
        lw.w3 = fill.matrix(p + "ffn_up.weight", s->hidden, s->dim, type);
        w.layers.push_back(lw);
    }
    w.output_norm = fill.ones("output_norm.weight", s->dim);
    w.output = s->tied ? w.token_embedding : fill.matrix("output.weight", s->vocab, s->dim, type);
    m.storage = storage;
    return m;
}

}  // namespace xl
