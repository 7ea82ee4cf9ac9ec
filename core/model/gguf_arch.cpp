// Rows of the supported GGUF architectures and their layer kinds (gguf_arch.hpp).
#include "core/model/gguf_arch.hpp"

#include "core/error.hpp"

namespace xl {
namespace {

const GgufArch kArchs[] = {
    {"llama", RopeLayout::Normal, MlpType::SwiGLU},
    {"qwen2", RopeLayout::NeoX, MlpType::SwiGLU, /*qkv_bias*/ true},
    {"qwen3", RopeLayout::NeoX, MlpType::SwiGLU, false, /*qk_norm*/ true},
    // Gemma 3: 5 local (window 512, base 10000) : 1 global, as llama.cpp hard-codes it.
    {"gemma3", RopeLayout::NeoX, MlpType::GeGLU, false, true, /*post_norms*/ true, false, /*embed_sqrt_dim*/ true,
     /*swa_period*/ 6, /*swa_base*/ 10000.f},
    {"phi3", RopeLayout::NeoX, MlpType::SwiGLU, false, false, false, /*fused*/ true},
};

int positive(const GgufFile& g, const std::string& key) {
    const int64_t v = g.get_int(key);
    if (v <= 0 || v > (int64_t(1) << 30))
        throw Error(ErrorKind::BadFile, g.path, "metadata key '" + key + "' = " + std::to_string(v) +
                                                    " is not a plausible size");
    return int(v);
}

// One flag per layer: true = local (sliding-window) layer.
std::vector<bool> local_layers(const GgufFile& g, const GgufArch& a, int n_layers) {
    const std::string key = std::string(a.name) + ".attention.sliding_window_pattern";
    std::vector<bool> local(size_t(n_layers), false);
    const GgufValue* v = g.find(key);
    if (v && v->is_array()) {
        if (v->items.size() != size_t(n_layers) || (!v->items.empty() && !v->items[0].is_int()))
            throw Error(ErrorKind::BadFile, g.path, key + " must hold one bool per layer (" +
                                                        std::to_string(n_layers) + ")");
        for (int l = 0; l < n_layers; ++l) local[size_t(l)] = v->items[size_t(l)].i != 0;
        return local;
    }
    // A period p: layers l with l % p < p − 1 are local (llama.cpp set_swa_pattern).
    const int period = v ? positive(g, key) : a.swa_period;
    for (int l = 0; l < n_layers; ++l) local[size_t(l)] = l % period < period - 1;
    return local;
}

}  // namespace

std::string supported_architectures() {
    std::string out;
    for (const GgufArch& a : kArchs) out += (out.empty() ? "" : ", ") + std::string(a.name);
    return out;
}

const GgufArch& gguf_arch(const GgufFile& g) {
    const std::string arch = g.get_string("general.architecture");
    for (const GgufArch& a : kArchs)
        if (arch == a.name) return a;
    throw Error(ErrorKind::Unsupported, g.path,
                "architecture '" + arch + "' is not supported (supported: " + supported_architectures() + ")");
}

void read_layer_kinds(const GgufFile& g, const GgufArch& a, ModelConfig& c) {
    const std::string p = std::string(a.name) + ".";
    if (a.swa_period == 0) {
        // 0 = no window: llama.cpp's converter writes 0 for Phi-3 configs whose sliding_window is null.
        if (g.find(p + "attention.sliding_window") && g.get_int(p + "attention.sliding_window") != 0)
            c.sliding_window = positive(g, p + "attention.sliding_window");
        return;
    }
    if (!g.find(p + "attention.sliding_window"))
        throw Error(ErrorKind::BadFile, g.path, "missing metadata key '" + p + "attention.sliding_window' (architecture " +
                                                    a.name + " needs the local layers' window)");
    LayerKind global, local;
    global.name = "global";
    global.rope_base = c.rope_base;
    local.name = "local";
    local.window = positive(g, p + "attention.sliding_window");
    local.rope_base = g.find(p + "rope.freq_base_swa") ? float(g.get_float(p + "rope.freq_base_swa")) : a.swa_base;
    c.layer_kinds = {global, local};
    c.layer_kind.clear();
    for (bool is_local : local_layers(g, a, c.n_layers)) c.layer_kind.push_back(is_local ? 1 : 0);
}

}  // namespace xl
