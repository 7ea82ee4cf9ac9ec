#include "core/model/gguf_llama.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/model/gguf_arch.hpp"
#include "core/model/gguf_vocab.hpp"

namespace xl {
namespace {

// Converter default context lengths: values that conversion tools write when the source
// checkpoint does not say (llama.cpp's llama2.c converter writes 2048; stories260K's README
// says its training length is 512). A file holding one of them gets a warning.
constexpr int kConverterDefaultContexts[] = {2048};

int64_t opt_int(const GgufFile& g, const std::string& key, int64_t fallback) {
    return g.find(key) ? g.get_int(key) : fallback;
}
double opt_float(const GgufFile& g, const std::string& key, double fallback) {
    return g.find(key) ? g.get_float(key) : fallback;
}
int positive_int(const GgufFile& g, const std::string& key, int64_t v) {
    if (v <= 0 || v > (int64_t(1) << 30))
        throw Error(ErrorKind::BadFile, g.path, "metadata key '" + key + "' = " + std::to_string(v) +
                                                    " is not a plausible size");
    return int(v);
}

void read_shapes(const GgufFile& g, const std::string& a, ModelConfig& c) {
    auto req = [&](const char* k) { return positive_int(g, a + k, g.get_int(a + k)); };
    c.file_context_length = req("context_length");
    c.dim = req("embedding_length");
    c.n_layers = req("block_count");
    c.hidden_dim = req("feed_forward_length");
    c.n_heads = req("attention.head_count");
    c.n_kv_heads = positive_int(g, a + "attention.head_count_kv", opt_int(g, a + "attention.head_count_kv", c.n_heads));
    if (size_t(c.n_layers) * 7 > g.tensors.size())  // at least 7 tensors per block (fused Phi-3)
        throw Error(ErrorKind::BadFile, g.path, a + "block_count " + std::to_string(c.n_layers) + " but only " +
                                                    std::to_string(g.tensors.size()) + " tensors");
    if (c.n_heads % c.n_kv_heads != 0)
        throw Error(ErrorKind::BadFile, g.path, "attention.head_count " + std::to_string(c.n_heads) +
                                                    " is not a multiple of head_count_kv " + std::to_string(c.n_kv_heads));
    if (!g.find(a + "attention.key_length") && c.dim % c.n_heads != 0)
        throw Error(ErrorKind::BadFile, g.path, "embedding_length " + std::to_string(c.dim) +
                                                    " is not a multiple of head_count " + std::to_string(c.n_heads));
    c.head_dim = positive_int(g, a + "attention.key_length", opt_int(g, a + "attention.key_length", c.dim / c.n_heads));
    const std::string vkey = a + "attention.value_length";
    if (g.find(vkey) && g.get_int(vkey) != c.head_dim)
        throw Error(ErrorKind::Unsupported, g.path, vkey + " " + std::to_string(g.get_int(vkey)) +
                                                        " differs from key_length " + std::to_string(c.head_dim) +
                                                        " (supported: equal key and value head sizes)");
    c.norm_eps = float(opt_float(g, a + "attention.layer_norm_rms_epsilon", 1e-5));
    c.norm = NormType::RMSNorm;
    c.residual = Residual::PreNorm;
}

void read_positions(const GgufFile& g, const std::string& a, ModelConfig& c) {
    c.position = PositionSignal::RoPE;
    if (g.find(a + "rope.freq_base")) {
        c.rope_base = float(g.get_float(a + "rope.freq_base"));
    } else {
        c.rope_base = 10000.f;
        c.warnings.push_back("rope.freq_base missing: using 10000");
    }
    c.rope_dim = int(opt_int(g, a + "rope.dimension_count", c.head_dim));
    if (c.rope_dim <= 0 || c.rope_dim > c.head_dim || c.rope_dim % 2 != 0)
        throw Error(ErrorKind::BadFile, g.path, "rope.dimension_count " + std::to_string(c.rope_dim) +
                                                    " does not fit head size " + std::to_string(c.head_dim));
    FileRopeScaling& s = c.rope_scaling;
    const std::string r = a + "rope.scaling.";
    if (g.find(r + "type")) s.type = g.get_string(r + "type");
    s.factor = float(opt_float(g, r + "factor", 0));
    if (s.type.empty() && g.find(a + "rope.scale_linear")) {  // older files: linear factor only
        s.type = "linear";
        s.factor = float(g.get_float(a + "rope.scale_linear"));
    }
    s.original_context = int(opt_int(g, r + "original_context_length", 0));
    s.attn_factor = float(opt_float(g, r + "attn_factor", 0));
    s.yarn_log_multiplier = float(opt_float(g, r + "yarn_log_multiplier", 0));
    s.yarn_beta_fast = float(opt_float(g, r + "yarn_beta_fast", 0));
    s.yarn_beta_slow = float(opt_float(g, r + "yarn_beta_slow", 0));
    s.yarn_ext_factor = float(opt_float(g, r + "yarn_ext_factor", 0));
    s.finetuned = opt_int(g, r + "finetuned", 0) != 0;
    c.alibi_max_bias = float(opt_float(g, a + "attention.max_alibi_bias", 0));

    // train_context_length: the file's context_length is our best knowledge. We do not
    // recognise models by name; when the value equals a converter default we keep it and warn,
    // and the user overrides it (--train-ctx) with the length from the model's documentation.
    c.train_context_length = c.file_context_length;
    for (int d : kConverterDefaultContexts)
        if (c.file_context_length == d)
            c.warnings.push_back(a + "context_length " + std::to_string(d) +
                                 " looks like a converter default, not necessarily the training length "
                                 "(override with --train-ctx)");
}

std::string ne_text(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

// A tensor checked against its expected [rows][cols] (ggml ne = [cols, rows]; rows 1 = vector).
Tensor take(const GgufFile& g, const std::string& name, int64_t rows, int64_t cols, bool required = true) {
    const GgufTensorInfo* t = g.find_tensor(name);
    if (!t) {
        if (required) throw Error(ErrorKind::BadFile, g.path, "missing tensor '" + name + "'");
        return {};
    }
    const bool vector_ok = rows == 1 && t->ne.size() == 1;
    if (t->cols() != cols || t->rows() != rows || (!vector_ok && t->ne.size() != 2))
        throw Error(ErrorKind::BadFile, g.path,
                    "tensor '" + name + "' has ne " + ne_text(t->ne) + ", expected " +
                        (rows == 1 ? ne_text({cols}) : ne_text({cols, rows})));
    Tensor out;
    out.name = name;
    out.type = t->type;
    out.rows = rows;
    out.cols = cols;
    out.data = t->data;
    return out;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
    return a.type == b.type && a.rows == b.rows && a.cols == b.cols &&
           std::memcmp(a.data, b.data, a.nbytes()) == 0;
}

// q/k/v projections: separate tensors, or one fused attn_qkv split into row views (Phi-3).
void read_qkv(const GgufFile& g, const GgufArch& arch, const std::string& b, const ModelConfig& c, LayerWeights& L) {
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim, kv_dim = int64_t(c.n_kv_heads) * c.head_dim;
    if (arch.fused && g.find_tensor(b + "attn_qkv.weight")) {
        const Tensor qkv = take(g, b + "attn_qkv.weight", q_dim + 2 * kv_dim, dim);
        L.wq = row_view(qkv, 0, q_dim, b + "attn_qkv.weight[q]");
        L.wk = row_view(qkv, q_dim, kv_dim, b + "attn_qkv.weight[k]");
        L.wv = row_view(qkv, q_dim + kv_dim, kv_dim, b + "attn_qkv.weight[v]");
    } else {
        L.wq = take(g, b + "attn_q.weight", q_dim, dim);
        L.wk = take(g, b + "attn_k.weight", kv_dim, dim);
        L.wv = take(g, b + "attn_v.weight", kv_dim, dim);
    }
    if (arch.qkv_bias) {
        L.bq = take(g, b + "attn_q.bias", 1, q_dim);
        L.bk = take(g, b + "attn_k.bias", 1, kv_dim);
        L.bv = take(g, b + "attn_v.bias", 1, kv_dim);
    }
    if (arch.qk_norm) {
        L.q_norm = take(g, b + "attn_q_norm.weight", 1, c.head_dim);
        L.k_norm = take(g, b + "attn_k_norm.weight", 1, c.head_dim);
    }
}

// Gate and up projections: separate, or one ffn_up holding gate rows then up rows (Phi-3).
void read_ffn(const GgufFile& g, const GgufArch& arch, const std::string& b, const ModelConfig& c, LayerWeights& L) {
    if (arch.fused && !g.find_tensor(b + "ffn_gate.weight")) {
        const Tensor up = take(g, b + "ffn_up.weight", 2 * int64_t(c.hidden_dim), c.dim);
        L.w1 = row_view(up, 0, c.hidden_dim, b + "ffn_up.weight[gate]");
        L.w3 = row_view(up, c.hidden_dim, c.hidden_dim, b + "ffn_up.weight[up]");
    } else {
        L.w1 = take(g, b + "ffn_gate.weight", c.hidden_dim, c.dim);
        L.w3 = take(g, b + "ffn_up.weight", c.hidden_dim, c.dim);
    }
    L.w2 = take(g, b + "ffn_down.weight", c.dim, c.hidden_dim);
}

void read_weights(const GgufFile& g, const GgufArch& arch, Model& m) {
    ModelConfig& c = m.config;
    ModelWeights& w = m.weights;
    const GgufTensorInfo* emb = g.find_tensor("token_embd.weight");
    if (!emb) throw Error(ErrorKind::BadFile, g.path, "missing tensor 'token_embd.weight'");
    c.vocab_size = int(emb->rows());
    const std::string vkey = c.architecture + ".vocab_size";
    if (g.find(vkey) && g.get_int(vkey) != c.vocab_size)
        throw Error(ErrorKind::BadFile, g.path, vkey + " " + std::to_string(g.get_int(vkey)) +
                                                    " differs from token_embd rows " + std::to_string(c.vocab_size));
    const int64_t dim = c.dim, q_dim = int64_t(c.n_heads) * c.head_dim;
    w.token_embedding = take(g, "token_embd.weight", c.vocab_size, dim);
    w.layers.resize(size_t(c.n_layers));
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        LayerWeights& L = w.layers[size_t(l)];
        L.attn_norm = take(g, b + "attn_norm.weight", 1, dim);
        read_qkv(g, arch, b, c, L);
        L.wo = take(g, b + "attn_output.weight", dim, q_dim);
        L.ffn_norm = take(g, b + "ffn_norm.weight", 1, dim);
        read_ffn(g, arch, b, c, L);
        if (arch.post_norms) {
            L.post_attn_norm = take(g, b + "post_attention_norm.weight", 1, dim);
            L.post_ffn_norm = take(g, b + "post_ffw_norm.weight", 1, dim);
        }
    }
    w.output_norm = take(g, "output_norm.weight", 1, dim);
    w.output = take(g, "output.weight", c.vocab_size, dim, /*required*/ false);
    // Missing output => tied. An output byte-identical to the embedding (what converters write
    // for a shared classifier, e.g. from llama2.c) is reported as tied too, so that both copies
    // of a model give the same configuration.
    c.tied_output = w.output.empty() || same_bytes(w.output, w.token_embedding);
    if (c.tied_output) w.output = w.token_embedding;
    if (g.find_tensor("rope_freqs.weight"))
        c.rope_freq_factors = dequantize(take(g, "rope_freqs.weight", 1, c.rope_dim / 2));
    // LongRoPE (Phi-3 style) GGUFs carry both factor sets (position-methods.md §8).
    if (g.find_tensor("rope_factors_long.weight"))
        c.rope_factors_long = dequantize(take(g, "rope_factors_long.weight", 1, c.rope_dim / 2));
    if (g.find_tensor("rope_factors_short.weight"))
        c.rope_factors_short = dequantize(take(g, "rope_factors_short.weight", 1, c.rope_dim / 2));
}

}  // namespace

Model model_from_gguf(const GgufFile& g) {
    const GgufArch& row = gguf_arch(g);
    const std::string arch = row.name;
    Model m;
    m.path = g.path;
    ModelConfig& c = m.config;
    c.format = "gguf v" + std::to_string(g.version);
    c.architecture = arch;
    // general.name, unless it is missing or only repeats the architecture (a converter
    // placeholder, as in stories260K.gguf): then the file stem says more.
    const GgufValue* name = g.find("general.name");
    const bool useful = name && name->is_string() && !name->s.empty() && name->s != arch;
    c.name = useful ? std::string(name->s) : std::filesystem::path(g.path).stem().string();
    for (const auto& [k, v] : g.kv) c.metadata[k] = to_text(v);
    c.metadata["gguf.version"] = std::to_string(g.version);
    c.metadata["gguf.alignment"] = std::to_string(g.alignment);
    c.metadata["gguf.tensor_count"] = std::to_string(g.tensors.size());
    const std::string a = arch + ".";
    read_shapes(g, a, c);
    read_positions(g, a, c);
    c.rope_layout = row.layout;
    c.mlp = row.mlp;
    if (row.embed_sqrt_dim) c.embedding_scale = std::sqrt(float(c.dim));
    read_layer_kinds(g, row, c);
    read_weights(g, row, m);
    try {
        m.tokenizer = gguf_tokenizer(g);
        if (!m.tokenizer) c.warnings.push_back("no vocabulary in the file: pass a tokenizer");
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Unsupported) throw;
        c.warnings.push_back(e.what());
    }
    m.storage = g.file;
    return m;
}

Model load_gguf_model(const std::string& path) {
    return model_from_gguf(read_gguf(MappedFile::open(path)));
}

}  // namespace xl
