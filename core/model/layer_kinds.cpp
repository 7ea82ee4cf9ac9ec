// Per-layer attention kinds (model.hpp): the effective list of kinds and each layer's kind,
// and row views of fused tensors.
#include <cctype>
#include <cstdio>

#include "core/error.hpp"
#include "core/model/layer_kinds_text.hpp"
#include "core/model/model.hpp"

namespace xl {

std::vector<LayerKind> layer_kinds_of(const ModelConfig& c) {
    if (!c.layer_kinds.empty()) return c.layer_kinds;
    LayerKind k;
    k.name = c.position == PositionSignal::None ? "nope" : "global";
    k.position = c.position;
    k.rope_base = c.rope_base;
    k.window = c.sliding_window;
    return {k};
}

int layer_kind_index(const ModelConfig& c, int layer) {
    if (c.layer_kinds.empty()) return 0;
    if (layer < 0 || size_t(layer) >= c.layer_kind.size())
        throw Error(ErrorKind::BadArgument, c.name, "layer " + std::to_string(layer) + " has no layer kind");
    return c.layer_kind[size_t(layer)];
}

std::string layer_kind_pattern(const ModelConfig& c) {
    const std::vector<LayerKind> kinds = layer_kinds_of(c);
    std::string out;
    for (int l = 0; l < c.n_layers; ++l) {
        const std::string& name = kinds[size_t(layer_kind_index(c, l))].name;
        out += name.empty() ? '?' : char(std::toupper(static_cast<unsigned char>(name[0])));
    }
    return out;
}

std::string layer_kinds_text(const ModelConfig& c) {
    const std::vector<LayerKind> kinds = layer_kinds_of(c);
    std::string out;
    for (size_t k = 0; k < kinds.size(); ++k) {
        int count = 0;
        for (int l = 0; l < c.n_layers; ++l) count += layer_kind_index(c, l) == int(k);
        const LayerKind& kind = kinds[k];
        char base[32];
        std::snprintf(base, sizeof base, "%g", double(kind.rope_base));
        const std::string signal = kind.position == PositionSignal::RoPE    ? "RoPE base " + std::string(base)
                                   : kind.position == PositionSignal::ALiBi ? "ALiBi"
                                                                            : "no position signal";
        const std::string window = kind.window > 0 ? "window " + std::to_string(kind.window) : "full attention";
        out += (out.empty() ? "" : "; ") + kind.name + " x" + std::to_string(count) + " (" + signal + ", " + window + ")";
    }
    return out;
}

Tensor row_view(const Tensor& t, int64_t first, int64_t count, const std::string& name) {
    if (t.empty() || first < 0 || count <= 0 || first + count > t.rows)
        throw Error(ErrorKind::BadFile, t.name,
                    "rows [" + std::to_string(first) + ", " + std::to_string(first + count) + ") of a tensor with " +
                        std::to_string(t.rows) + " rows");
    Tensor v = t;
    v.name = name;
    v.rows = count;
    v.data = t.data + size_t(first) * row_bytes(t.type, t.cols);
    return v;
}

}  // namespace xl
