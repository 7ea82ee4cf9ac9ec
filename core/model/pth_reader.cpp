// PyTorch checkpoint -> xl::Model for the alilama architecture (see pth_reader.hpp for the
// tensor mapping and the README of the model for the block recipe).
#include "core/model/pth_reader.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <string_view>
#include <unordered_map>

#include "core/error.hpp"
#include "core/util/checked_math.hpp"
#include "core/model/minbpe_tokenizer.hpp"
#include "core/model/pickle_reader.hpp"
#include "core/model/zip_archive.hpp"

namespace xl {
namespace {

// Keeps the mapped file and any owned buffers (identity wo, re-aligned copies) alive.
struct PthStorage {
    std::shared_ptr<const void> mapping;
    std::vector<std::vector<float>> owned_f32;
    std::vector<std::vector<uint8_t>> owned_bytes;
};

struct Checkpoint {
    const ZipArchive& zip;
    std::string prefix;             // "<archive>/" of the entries
    const PyObject* state = nullptr;
    PthStorage& storage;
    std::vector<std::string> missing;
    std::unordered_map<std::string_view, const PyObject*> index;  // state dict by key (first wins)

    const std::string& path() const { return zip.path(); }
    void build_index();
    const PyObject* get(const std::string& name) const;
    Tensor view(const std::string& name, int64_t rows, int64_t cols);   // a [rows][cols] matrix
    Tensor vector(const std::string& name, int64_t n);                  // a 1-D [n] tensor
    Tensor view_shaped(const std::string& name, const std::vector<int64_t>& want);
};

// One hash lookup per tensor name (a linear scan per name is quadratic in the dict size).
void Checkpoint::build_index() {
    index.reserve(state->dict.size());
    for (const auto& [k, v] : state->dict)
        if (k->kind == PyKind::String) index.emplace(k->s, v.get());
}

const PyObject* Checkpoint::get(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
}

bool tensor_type(const std::string& storage_type, TensorType& t, size_t& elem) {
    if (storage_type == "FloatStorage") return t = TensorType::F32, elem = 4, true;
    if (storage_type == "HalfStorage") return t = TensorType::F16, elem = 2, true;
    if (storage_type == "BFloat16Storage") return t = TensorType::BF16, elem = 2, true;
    return false;
}

Tensor Checkpoint::view(const std::string& name, int64_t rows, int64_t cols) {
    Tensor t = view_shaped(name, {rows, cols});
    if (t.data) t.rows = rows, t.cols = cols;
    return t;
}

Tensor Checkpoint::vector(const std::string& name, int64_t n) {
    Tensor t = view_shaped(name, {n});
    if (t.data) t.rows = 1, t.cols = n;
    return t;
}

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string s;
    for (int64_t d : dims) s += (s.empty() ? "" : " x ") + std::to_string(d);
    return s;
}

// A view of a tensor of the state dict with exactly the shape `want`; a missing name is recorded
// and an empty Tensor returned so that every missing name can be reported at once.
Tensor Checkpoint::view_shaped(const std::string& name, const std::vector<int64_t>& want) {
    const PyObject* o = get(name);
    if (!o) {
        missing.push_back(name);
        return {};
    }
    if (o->kind != PyKind::Tensor) throw Error(ErrorKind::BadFile, path(), "'" + name + "' is not a tensor");
    const PyTensor& pt = o->tensor;
    Tensor t;
    t.name = name;
    size_t elem = 0;
    if (!tensor_type(pt.storage_type, t.type, elem))
        throw Error(ErrorKind::Unsupported, path(), "tensor '" + name + "' has storage type " + pt.storage_type +
                                                        " (supported: Float, Half, BFloat16)");
    if (!pt.contiguous()) {
        std::string st;
        for (int64_t v : pt.stride) st += (st.empty() ? "" : ", ") + std::to_string(v);
        throw Error(ErrorKind::Unsupported, path(), "tensor '" + name + "' is not contiguous (strides " + st + ")");
    }
    if (pt.shape != want)
        throw Error(ErrorKind::BadFile, path(), "tensor '" + name + "' has shape " + dims_text(pt.shape) +
                                                    ", expected " + dims_text(want));
    const std::string entry_name = prefix + "data/" + pt.storage_key;
    const ZipEntry* e = zip.find(entry_name);
    if (!e) throw Error(ErrorKind::BadFile, path(), "storage entry '" + entry_name + "' of '" + name + "' missing");
    std::span<const uint8_t> bytes = zip.data(*e);
    // Overflow-checked: offset and numel come from the file (an offset near INT64_MAX must not wrap).
    int64_t last = 0, end = 0;
    const int64_t numel = pt.numel();
    if (pt.storage_offset < 0 || numel < 0 || !checked_add(pt.storage_offset, numel, last) ||
        !checked_mul(last, int64_t(elem), end) || uint64_t(end) > bytes.size() || last > pt.storage_numel)
        throw Error(ErrorKind::BadFile, path(), "truncated tensor data for '" + name + "' in entry '" + entry_name +
                                                    "' (offset " + std::to_string(pt.storage_offset) + ", " +
                                                    dims_text(pt.shape) + " elements, entry of " +
                                                    std::to_string(bytes.size()) + " bytes)");
    const uint8_t* p = bytes.data() + size_t(pt.storage_offset) * elem;
    if (reinterpret_cast<uintptr_t>(p) % elem != 0) {  // torch aligns entries to 64 bytes; others may not
        storage.owned_bytes.emplace_back(p, p + size_t(numel) * elem);
        p = storage.owned_bytes.back().data();
    }
    t.data = p;
    return t;
}

// params[key] as a size in [0, 2^24] (fallback when absent); other values are refused.
int param_int(const PyObject* params, const char* key, int fallback, const std::string& path) {
    const PyObject* v = params ? params->get(key) : nullptr;
    if (!v || v->kind != PyKind::Int) return fallback;
    if (v->i < 0 || v->i > (int64_t(1) << 24))
        throw Error(ErrorKind::BadFile, path, std::string("params.") + key + " = " + std::to_string(v->i) +
                                                  " is not a plausible size");
    return int(v->i);
}

// Number of "blocks.N." prefixes in the state dict.
int count_blocks(const PyObject& state) {
    std::set<int> ids;
    for (const auto& [k, v] : state.dict) {
        if (k->kind != PyKind::String || k->s.rfind("blocks.", 0) != 0) continue;
        int id = 0;
        const char* first = k->s.c_str() + 7;
        auto [end, ec] = std::from_chars(first, k->s.c_str() + k->s.size(), id);
        if (ec == std::errc() && end != first) ids.insert(id);
    }
    return int(ids.size());
}

void fill_alilama_config(ModelConfig& c, const PyObject* params, const Checkpoint& ck, const Tensor& embed_probe) {
    const std::string& path = ck.path();
    c.format = "pytorch zip";
    c.architecture = "alilama";
    // The embedding's shape bounds every size below by the file's real data (its view is checked
    // next), so nothing is allocated from a size the file merely claims.
    if (embed_probe.rows < 1 || embed_probe.rows > (int64_t(1) << 24) || embed_probe.cols < 1 ||
        embed_probe.cols > (int64_t(1) << 24))
        throw Error(ErrorKind::BadFile, path, "embed.weight has an implausible shape " + std::to_string(embed_probe.rows) +
                                                  " x " + std::to_string(embed_probe.cols));
    c.vocab_size = int(embed_probe.rows);
    c.dim = param_int(params, "d_model", int(embed_probe.cols), path);
    if (c.dim != embed_probe.cols)
        throw Error(ErrorKind::BadFile, path, "params.d_model " + std::to_string(c.dim) + " differs from embed.weight's " +
                                                  std::to_string(embed_probe.cols) + " columns");
    const int blocks_in_dict = count_blocks(*ck.state);
    c.n_layers = param_int(params, "blocks", blocks_in_dict, path);
    if (c.n_layers > blocks_in_dict)
        throw Error(ErrorKind::BadFile, path, "params.blocks " + std::to_string(c.n_layers) + " but the state_dict has " +
                                                  std::to_string(blocks_in_dict) + " blocks");
    c.n_heads = param_int(params, "num_heads", 0, path);
    if (c.n_heads <= 0) throw Error(ErrorKind::Unsupported, path, "params.num_heads missing: cannot split heads");
    c.n_kv_heads = c.n_heads;
    c.head_dim = param_int(params, "head_width", c.dim / c.n_heads, path);
    if (int64_t(c.head_dim) * c.n_heads != c.dim)
        throw Error(ErrorKind::Unsupported, path, "num_heads * head_width != d_model (" + std::to_string(c.n_heads) +
                                                      " * " + std::to_string(c.head_dim) + " != " + std::to_string(c.dim) + ")");
    c.hidden_dim = param_int(params, "hidden_dim", 4 * c.dim, path);
    c.norm_eps = 1e-5f;  // nn.LayerNorm default eps
    c.norm = NormType::LayerNorm;
    c.residual = Residual::PostFirstNorm;
    c.mlp = MlpType::SiLU;
    c.final_norm = false;
    c.file_context_length = c.train_context_length = param_int(params, "max_seq_len", 0, path);
    c.position = PositionSignal::ALiBi;
    c.rope_dim = 0;
    // The training code's get_alibi_slope: slope_h = 2^(-8(h+1)/H); equal to the ALiBi paper's
    // rule (position-methods.md §13, max_bias 8) when H is a power of two.
    c.alibi_max_bias = 8.f;
    for (int h = 0; h < c.n_heads; ++h) c.alibi_slopes.push_back(std::exp2(-8.f * float(h + 1) / float(c.n_heads)));
}

void throw_missing(const Checkpoint& ck) {
    constexpr size_t kListed = 12;
    std::string names;
    for (size_t k = 0; k < ck.missing.size() && k < kListed; ++k) names += (k ? ", " : "") + ck.missing[k];
    if (ck.missing.size() > kListed) names += " and " + std::to_string(ck.missing.size() - kListed) + " more";
    throw Error(ErrorKind::Unsupported, ck.path(), "unknown state_dict layout for alilama: missing " + names);
}

void map_alilama(Model& m, Checkpoint& ck, const PyObject* params) {
    const PyObject* emb = ck.get("embed.weight");
    if (!emb || emb->kind != PyKind::Tensor || emb->tensor.shape.size() != 2) {
        std::string seen;
        for (size_t k = 0; k < ck.state->dict.size() && k < 6; ++k) seen += (k ? ", " : "") + ck.state->dict[k].first->repr(64);
        throw Error(ErrorKind::Unsupported, ck.path(),
                    "unknown state_dict layout: missing embed.weight (alilama); first keys: " + seen);
    }
    Tensor probe;
    probe.rows = emb->tensor.shape[0];
    probe.cols = emb->tensor.shape[1];
    ModelConfig& c = m.config;
    fill_alilama_config(c, params, ck, probe);
    const int64_t d = c.dim, hd = c.hidden_dim;
    ModelWeights& w = m.weights;
    w.token_embedding = ck.view("embed.weight", c.vocab_size, d);
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string p = "blocks." + std::to_string(l) + ".";
        LayerWeights L;
        L.attn_norm = ck.vector(p + "norm1.weight", d);
        L.attn_norm_bias = ck.vector(p + "norm1.bias", d);
        L.wq = ck.view(p + "MHSA.q.weight", d, d);
        L.wk = ck.view(p + "MHSA.k.weight", d, d);
        L.wv = ck.view(p + "MHSA.v.weight", d, d);
        L.ffn_norm = ck.vector(p + "norm2.weight", d);
        L.ffn_norm_bias = ck.vector(p + "norm2.bias", d);
        L.w1 = ck.view(p + "MLP.p1.weight", hd, d);
        L.w2 = ck.view(p + "MLP.p2.weight", d, hd);
        w.layers.push_back(std::move(L));
    }
    if (!ck.missing.empty()) throw_missing(ck);
    // The identity wo, allocated only now: each wq of d x d is real data in the file, which
    // bounds d * d by the file's size.
    if (c.n_layers > 0) {
        std::vector<float>& eye = ck.storage.owned_f32.emplace_back(size_t(d * d), 0.f);
        for (int64_t r = 0; r < d; ++r) eye[size_t(r * d + r)] = 1.f;
        for (LayerWeights& L : w.layers)
            L.wo = Tensor{"identity (no attention output projection)", TensorType::F32, d, d,
                          reinterpret_cast<const uint8_t*>(eye.data())};
    }
    // last_lin.weight is tied to the embedding in the training code; honour an untied file.
    const PyObject* out = ck.get("last_lin.weight");
    bool tied = !out || (out->kind == PyKind::Tensor && out->tensor.storage_key == emb->tensor.storage_key &&
                         out->tensor.storage_offset == emb->tensor.storage_offset);
    c.tied_output = tied;
    w.output = tied ? w.token_embedding : ck.view("last_lin.weight", c.vocab_size, d);
}

std::string short_repr(const PyObject& v) {
    std::string r = v.repr();
    return r.size() > 200 ? r.substr(0, 197) + "..." : r;
}

void record_metadata(ModelConfig& c, const PyObject& root, const PyObject* params, const std::string& prefix) {
    c.metadata["pytorch.archive"] = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1);
    for (const auto& [k, v] : root.dict)
        if (k->kind == PyKind::String && k->s != "state_dict" && k->s != "params" && v->kind != PyKind::Dict)
            c.metadata["checkpoint." + k->s] = short_repr(*v);
    if (params)
        for (const auto& [k, v] : params->dict)
            if (k->kind == PyKind::String) c.metadata["params." + k->s] = short_repr(*v);
    c.metadata["alilama.unused_tensors"] = "blocks.N.MHSA.preadditive.weight, blocks.N.MLP.preadditive.weight";
    c.metadata["alilama.attention_output"] = "none (wo = identity)";
}

void attach_tokenizer(Model& m, const std::string& path, std::string tok_path) {
    if (tok_path.empty()) {
        auto beside = std::filesystem::path(path).parent_path() / "tokenizer.model";
        if (std::filesystem::exists(beside)) tok_path = beside.string();
    }
    if (tok_path.empty()) {
        m.config.warnings.push_back("no tokenizer: pass the minbpe tokenizer.model of this checkpoint");
        return;
    }
    auto tok = load_minbpe_tokenizer(tok_path);
    if (tok->vocab_size() != m.config.vocab_size)
        throw Error(ErrorKind::Mismatch, tok_path, "tokenizer has " + std::to_string(tok->vocab_size()) +
                                                       " tokens but the model's embedding has " +
                                                       std::to_string(m.config.vocab_size));
    m.tokenizer = std::move(tok);
    m.config.metadata["tokenizer.file"] = tok_path;
}

}  // namespace

Model load_pth_model(const std::string& path, const std::string& tokenizer_path) {
    ZipArchive zip(path);
    const ZipEntry* pkl = zip.find_suffix("/data.pkl");
    if (!pkl) pkl = zip.find("data.pkl");
    if (!pkl) throw Error(ErrorKind::BadFile, path, "zip archive has no data.pkl: not a PyTorch checkpoint");
    std::string prefix = pkl->name.substr(0, pkl->name.size() - std::strlen("data.pkl"));
    if (const ZipEntry* bo = zip.find(prefix + "byteorder")) {
        auto b = zip.data(*bo);
        if (std::string(b.begin(), b.end()) != "little")
            throw Error(ErrorKind::Unsupported, path, "big-endian checkpoint (byteorder entry is not 'little')");
    }
    PyRef root = read_pickle(zip.data(*pkl), path, pkl->name);
    if (root->kind != PyKind::Dict) throw Error(ErrorKind::Unsupported, path, "checkpoint is a " + std::string(to_string(root->kind)) + ", not a dict");
    const PyObject* state = root->get("state_dict");
    if (!state) state = root->get("model");
    if (!state) state = root.get();  // a bare state dict
    if (state->kind != PyKind::Dict) throw Error(ErrorKind::Unsupported, path, "state_dict is not a dict");
    const PyObject* params = root->get("params");
    if (params && params->kind != PyKind::Dict) params = nullptr;

    auto storage = std::make_shared<PthStorage>();
    storage->mapping = zip.mapping();
    Model m;
    m.path = path;
    Checkpoint ck{zip, prefix, state, *storage, {}, {}};
    ck.build_index();
    map_alilama(m, ck, params);
    const PyObject* name = params ? params->get("model_name") : nullptr;
    m.config.name = name && name->kind == PyKind::String ? name->s : std::filesystem::path(path).stem().string();
    record_metadata(m.config, *root, params, prefix);
    m.storage = storage;
    attach_tokenizer(m, path, tokenizer_path);
    return m;
}

}  // namespace xl
