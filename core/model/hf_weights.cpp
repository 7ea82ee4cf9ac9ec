// HF tensor names → ModelWeights (see hf_weights.hpp for the conventions and why).
#include "core/model/hf_weights.hpp"

#include <cstring>
#include <set>

#include "core/error.hpp"

namespace xl {
namespace {

std::string shape_text(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

struct Mapper {
    const HfCheckpoint& ck;
    const HfModelConfig& h;
    HfStorage& storage;
    std::string prefix;                 // of the text model: "model.", ...
    std::set<std::string> used;

    const ModelConfig& c() const { return h.config; }

    // A view of `name` checked against [rows][cols] (rows 1 = a vector of cols).
    Tensor take(const std::string& name, int64_t rows, int64_t cols, bool required = true) {
        const HfTensor* t = ck.find(name);
        if (!t) {
            if (required) throw Error(ErrorKind::BadFile, ck.dir, "missing tensor '" + name + "' (" + h.arch->name + ")");
            return {};
        }
        used.insert(name);
        const SafetensorsTensor& s = *t->tensor;
        const std::string& file = t->file->path;
        if (!s.type)
            throw Error(ErrorKind::Unsupported, file, "tensor '" + name + "' has dtype " + s.dtype +
                                                          " (supported: " + supported_safetensors_dtypes() + ")");
        const std::vector<int64_t> want = rows == 1 ? std::vector<int64_t>{cols} : std::vector<int64_t>{rows, cols};
        if (s.shape != want)
            throw Error(ErrorKind::BadFile, file, "tensor '" + name + "' has shape " + shape_text(s.shape) +
                                                      ", expected " + shape_text(want));
        Tensor out{name, *s.type, rows, cols, s.data};
        const size_t elem = row_bytes(out.type, 1);
        if (reinterpret_cast<uintptr_t>(out.data) % elem != 0) {
            storage.owned.emplace_back(s.data, s.data + s.nbytes());
            out.data = storage.owned.back().data();
        }
        return out;
    }

    // A norm vector; Gemma's (1 + w) becomes an F32 copy holding the multiplier.
    Tensor norm(const std::string& name, int64_t n, bool required = true) {
        Tensor t = take(name, 1, n, required);
        if (t.empty() || !h.arch->norm_plus_one) return t;
        std::vector<float> v = dequantize(t);
        for (float& x : v) x += 1.f;
        std::vector<uint8_t>& bytes = storage.owned.emplace_back(v.size() * sizeof(float));
        std::memcpy(bytes.data(), v.data(), bytes.size());
        return Tensor{name + " (+1)", TensorType::F32, 1, n, bytes.data()};
    }

    void layer(int l, LayerWeights& L);
};

void Mapper::layer(int l, LayerWeights& L) {
    const int64_t d = c().dim, hd = c().head_dim, hidden = c().hidden_dim;
    const int64_t q = int64_t(c().n_heads) * hd, kv = int64_t(c().n_kv_heads) * hd;
    const std::string p = prefix + "layers." + std::to_string(l) + ".";
    for (const HfLayerTensor& e : h.arch->layer_tensors) {
        const std::string n = p + e.suffix;
        const bool bias_required = e.required || h.attention_bias;
        switch (e.slot) {
            case HfSlot::AttnNorm: L.attn_norm = norm(n, d); break;
            case HfSlot::Q: L.wq = take(n, q, d); break;
            case HfSlot::K: L.wk = take(n, kv, d); break;
            case HfSlot::V: L.wv = take(n, kv, d); break;
            case HfSlot::BQ: L.bq = take(n, 1, q, bias_required); break;
            case HfSlot::BK: L.bk = take(n, 1, kv, bias_required); break;
            case HfSlot::BV: L.bv = take(n, 1, kv, bias_required); break;
            case HfSlot::QNorm: L.q_norm = norm(n, hd); break;
            case HfSlot::KNorm: L.k_norm = norm(n, hd); break;
            case HfSlot::O: L.wo = take(n, d, q); break;
            case HfSlot::PostAttnNorm: L.post_attn_norm = norm(n, d); break;
            case HfSlot::FfnNorm: L.ffn_norm = norm(n, d); break;
            case HfSlot::Gate: L.w1 = take(n, hidden, d); break;
            case HfSlot::Up: L.w3 = take(n, hidden, d); break;
            case HfSlot::Down: L.w2 = take(n, d, hidden); break;
            case HfSlot::PostFfnNorm: L.post_ffn_norm = norm(n, d); break;
            case HfSlot::QKV: {
                const Tensor f = take(n, q + 2 * kv, d);
                L.wq = row_view(f, 0, q, n + " [q]");
                L.wk = row_view(f, q, kv, n + " [k]");
                L.wv = row_view(f, q + kv, kv, n + " [v]");
                break;
            }
            case HfSlot::GateUp: {  // Phi3MLP: gate, up = gate_up_proj(x).chunk(2)
                const Tensor f = take(n, 2 * hidden, d);
                L.w1 = row_view(f, 0, hidden, n + " [gate]");
                L.w3 = row_view(f, hidden, hidden, n + " [up]");
                break;
            }
        }
    }
}

std::string text_prefix(const HfCheckpoint& ck) {
    for (const char* p : {"model.", "model.language_model.", "language_model.model."})
        if (ck.find(std::string(p) + "embed_tokens.weight")) return p;
    throw Error(ErrorKind::BadFile, ck.dir, "no embed_tokens.weight under model., model.language_model. or "
                                            "language_model.model.: not a causal language model checkpoint");
}

void map_output(Mapper& mp, Model& m) {
    ModelConfig& c = m.config;
    ModelWeights& w = m.weights;
    std::string head = "lm_head.weight";
    if (!mp.ck.find(head) && mp.ck.find("language_model.lm_head.weight")) head = "language_model.lm_head.weight";
    const bool present = mp.ck.find(head) != nullptr;
    if (c.tied_output) {
        w.output = w.token_embedding;
        if (present) {
            mp.used.insert(head);
            c.warnings.push_back(head + " is present but tie_word_embeddings is true: the embedding is used");
        }
    } else if (!present) {
        throw Error(ErrorKind::BadFile, mp.ck.dir, "no " + head + " and tie_word_embeddings is false");
    } else {
        w.output = mp.take(head, c.vocab_size, c.dim);
    }
}

// Layer tensors the table did not take change the model: refuse them. Others (vision towers,
// rotary buffers) are reported.
void check_unused(const Mapper& mp, ModelConfig& c) {
    std::string layer_extra;
    int other = 0, layer_count = 0;
    for (const auto& [name, t] : mp.ck.tensors) {
        if (mp.used.count(name) || (name.size() > 19 && name.compare(name.size() - 19, 19, "rotary_emb.inv_freq") == 0)) continue;
        if (name.rfind(mp.prefix + "layers.", 0) == 0) {
            if (++layer_count <= 4) layer_extra += (layer_extra.empty() ? "" : ", ") + name;
        } else {
            ++other;
        }
    }
    if (layer_count > 0)
        throw Error(ErrorKind::Unsupported, mp.ck.dir,
                    std::to_string(layer_count) + " layer tensors that architecture " + mp.h.arch->name +
                        " does not use (" + layer_extra + (layer_count > 4 ? ", ..." : "") + ")");
    if (other > 0) c.warnings.push_back(std::to_string(other) + " tensors outside the text model are ignored");
}

}  // namespace

void map_hf_weights(const HfCheckpoint& ck, const HfModelConfig& h, Model& m, HfStorage& storage) {
    Mapper mp{ck, h, storage, text_prefix(ck), {}};
    ModelConfig& c = m.config;
    ModelWeights& w = m.weights;
    const HfTensor* emb = ck.find(mp.prefix + "embed_tokens.weight");
    if (emb->tensor->shape.size() == 2 && emb->tensor->shape[0] != c.vocab_size)
        throw Error(ErrorKind::BadFile, emb->file->path, "embed_tokens has " + std::to_string(emb->tensor->shape[0]) +
                                                             " rows but config.json says vocab_size " + std::to_string(c.vocab_size));
    w.token_embedding = mp.take(mp.prefix + "embed_tokens.weight", c.vocab_size, c.dim);
    w.layers.resize(size_t(c.n_layers));
    for (int l = 0; l < c.n_layers; ++l) mp.layer(l, w.layers[size_t(l)]);
    w.output_norm = mp.norm(mp.prefix + "norm.weight", c.dim);
    map_output(mp, m);
    check_unused(mp, c);
    for (const auto& s : ck.shards) storage.files.push_back(s->file);
}

}  // namespace xl
