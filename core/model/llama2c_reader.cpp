#include "core/model/llama2c_reader.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/model/mapped_file.hpp"

namespace xl {
namespace {

struct Header {
    int32_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
};
constexpr size_t kHeaderBytes = 7 * 4;
constexpr int32_t kMaxDim = 1 << 16, kMaxLayers = 4096, kMaxVocab = 1 << 22, kMaxSeq = 1 << 24;

Header read_header(const uint8_t* p) {
    Header h;
    std::memcpy(&h, p, kHeaderBytes);
    return h;
}

bool plausible(const Header& h) {
    if (h.vocab_size == INT32_MIN) return false;  // its negation overflows: check before negating
    const int32_t vocab = h.vocab_size < 0 ? -h.vocab_size : h.vocab_size;
    return h.dim > 0 && h.dim <= kMaxDim && h.hidden_dim > 0 && h.hidden_dim <= 8 * kMaxDim &&
           h.n_layers > 0 && h.n_layers <= kMaxLayers && h.n_heads > 0 && h.n_heads <= h.dim &&
           h.dim % h.n_heads == 0 && h.n_kv_heads > 0 && h.n_kv_heads <= h.n_heads &&
           h.n_heads % h.n_kv_heads == 0 && vocab > 0 && vocab <= kMaxVocab && h.seq_len > 0 &&
           h.seq_len <= kMaxSeq;
}

// Hands out consecutive f32 tensors of the weight section.
struct Slicer {
    const uint8_t* base;
    size_t floats = 0;  // consumed so far
    Tensor take(std::string name, int64_t rows, int64_t cols) {
        Tensor t;
        t.name = std::move(name);
        t.type = TensorType::F32;
        t.rows = rows;
        t.cols = cols;
        t.data = base ? base + floats * 4 : nullptr;  // no pointer past the mapping while counting
        floats += size_t(rows * cols);
        return t;
    }
    void skip(size_t n) { floats += n; }
};

// Walks the layout once; with `base == nullptr` it only counts (to check the size first).
void slice(Slicer& s, const Header& h, ModelWeights& w) {
    const int64_t dim = h.dim, hidden = h.hidden_dim, L = h.n_layers;
    const int64_t head = h.dim / h.n_heads, kv_dim = head * h.n_kv_heads;
    const int64_t vocab = h.vocab_size < 0 ? -int64_t(h.vocab_size) : h.vocab_size;
    w.layers.resize(size_t(L));
    w.token_embedding = s.take("token_embedding", vocab, dim);
    auto per_layer = [&](const char* name, Tensor LayerWeights::*field, int64_t rows, int64_t cols) {
        for (int64_t l = 0; l < L; ++l)
            w.layers[size_t(l)].*field = s.take(std::string(name) + "[" + std::to_string(l) + "]", rows, cols);
    };
    per_layer("rms_att", &LayerWeights::attn_norm, 1, dim);
    per_layer("wq", &LayerWeights::wq, dim, dim);
    per_layer("wk", &LayerWeights::wk, kv_dim, dim);
    per_layer("wv", &LayerWeights::wv, kv_dim, dim);
    per_layer("wo", &LayerWeights::wo, dim, dim);
    per_layer("rms_ffn", &LayerWeights::ffn_norm, 1, dim);
    per_layer("w1", &LayerWeights::w1, hidden, dim);
    per_layer("w2", &LayerWeights::w2, dim, hidden);
    per_layer("w3", &LayerWeights::w3, hidden, dim);
    w.output_norm = s.take("rms_final", 1, dim);
    s.skip(size_t(h.seq_len) * size_t(head));  // freq_cis_real + freq_cis_imag, head/2 each
    w.output = h.vocab_size < 0 ? s.take("wcls", vocab, dim) : w.token_embedding;
}

ModelConfig make_config(const Header& h, const std::string& path) {
    ModelConfig c;
    c.format = "llama2.c";
    c.architecture = "llama";
    c.name = std::filesystem::path(path).stem().string();
    c.dim = h.dim;
    c.hidden_dim = h.hidden_dim;
    c.n_layers = h.n_layers;
    c.n_heads = h.n_heads;
    c.n_kv_heads = h.n_kv_heads;
    c.head_dim = h.dim / h.n_heads;
    c.vocab_size = h.vocab_size < 0 ? -h.vocab_size : h.vocab_size;
    c.norm_eps = 1e-5f;                       // llama2.c run.c
    c.tied_output = h.vocab_size > 0;
    c.file_context_length = c.train_context_length = h.seq_len;  // seq_len is the training length
    c.position = PositionSignal::RoPE;
    c.rope_base = 10000.f;                    // fixed by the format (run.c)
    c.rope_dim = c.head_dim;
    c.rope_layout = RopeLayout::Normal;       // run.c rotates adjacent pairs
    const char* keys[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
    const int32_t vals[] = {h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads, h.vocab_size, h.seq_len};
    for (int k = 0; k < 7; ++k) c.metadata[std::string("llama2c.") + keys[k]] = std::to_string(vals[k]);
    return c;
}

}  // namespace

bool looks_like_llama2c(const uint8_t* data, size_t size) {
    return size >= kHeaderBytes && plausible(read_header(data));
}

Model load_llama2c_model(const std::string& path) {
    auto file = MappedFile::open(path);
    if (file->size() < kHeaderBytes)
        throw Error(ErrorKind::BadFile, path, "truncated llama2.c checkpoint: " + std::to_string(file->size()) +
                                                  " bytes, the header alone needs 28");
    const Header h = read_header(file->data());
    if (!plausible(h))
        throw Error(ErrorKind::BadFile, path, "not a llama2.c checkpoint: implausible header");
    Model m;
    m.path = path;
    m.config = make_config(h, path);
    Slicer count{nullptr};
    ModelWeights layout;
    slice(count, h, layout);
    const size_t expected = kHeaderBytes + count.floats * 4;
    if (file->size() < expected)
        throw Error(ErrorKind::BadFile, path, "truncated llama2.c checkpoint: " + std::to_string(file->size()) +
                                                  " bytes, the header implies " + std::to_string(expected));
    if (file->size() > expected)
        throw Error(ErrorKind::BadFile, path, "llama2.c checkpoint has " + std::to_string(file->size() - expected) +
                                                  " trailing bytes after the " + std::to_string(expected) +
                                                  " its header implies (wrong file or wrong header?)");
    Slicer s{file->data() + kHeaderBytes};
    slice(s, h, m.weights);
    m.storage = std::move(file);
    return m;
}

std::shared_ptr<SentencePieceBpe> load_llama2c_tokenizer(const std::string& path, int expected_vocab) {
    auto file = MappedFile::open(path);
    const uint8_t* p = file->data();
    const size_t n = file->size();
    auto bad = [&](const std::string& what) { return Error(ErrorKind::BadFile, path, what); };
    if (n < 4) throw bad("truncated tokenizer.bin: no max_token_length");
    int32_t max_len;
    std::memcpy(&max_len, p, 4);
    if (max_len <= 0 || max_len > (1 << 16)) throw bad("not a llama2.c tokenizer.bin: max_token_length " +
                                                       std::to_string(max_len));
    SpmVocab v;
    size_t pos = 4;
    while (pos < n) {
        const std::string tok = "token " + std::to_string(v.pieces.size());
        if (n - pos < 8) throw bad("truncated tokenizer.bin: " + tok + " header cut at offset " + std::to_string(pos));
        float score;
        int32_t len;
        std::memcpy(&score, p + pos, 4);
        std::memcpy(&len, p + pos + 4, 4);
        pos += 8;
        if (len < 0 || len > max_len || !std::isfinite(score))
            throw bad("not a llama2.c tokenizer.bin: " + tok + " has length " + std::to_string(len) +
                      " (max " + std::to_string(max_len) + ") and score " + std::to_string(score));
        if (n - pos < size_t(len)) throw bad("truncated tokenizer.bin: " + tok + " text cut at offset " + std::to_string(pos));
        v.pieces.emplace_back(reinterpret_cast<const char*>(p + pos), size_t(len));
        v.scores.push_back(score);
        pos += size_t(len);
    }
    if (v.pieces.size() < 3) throw bad("not a llama2.c tokenizer.bin: only " + std::to_string(v.pieces.size()) + " tokens");
    if (expected_vocab > 0 && int(v.pieces.size()) != expected_vocab)
        throw Error(ErrorKind::Mismatch, path, "tokenizer has " + std::to_string(v.pieces.size()) +
                                                   " tokens, the model's vocabulary has " + std::to_string(expected_vocab));
    // llama2.c's fixed ids (run.c): 0 <unk>, 1 BOS, 2 EOS.
    v.unk = 0;
    v.bos = 1;
    v.eos = 2;
    return std::make_shared<SentencePieceBpe>(std::move(v), "llama sentencepiece-bpe (llama2.c tokenizer.bin)");
}

}  // namespace xl
