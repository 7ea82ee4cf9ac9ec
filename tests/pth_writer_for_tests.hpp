// Test helper: builds pickles opcode by opcode, stored zip archives, and tiny alilama .pth
// checkpoints with chosen (possibly hostile) sizes, offsets and params. Header-only.
//
//   xl::test::TinyAlilama a;  a.embed_offset = INT64_MAX - 10;
//   std::string path = tmp.write("bad.pth", a.pth());
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace xl::test {

class PickleBuilder {
public:
    std::vector<uint8_t> b{0x80, 2};                       // PROTO 2
    PickleBuilder& op(char c) { b.push_back(uint8_t(c)); return *this; }
    PickleBuilder& raw(const std::string& s) { b.insert(b.end(), s.begin(), s.end()); return *this; }
    PickleBuilder& str(const std::string& s) {             // BINUNICODE
        op('X');
        for (int k = 0; k < 4; ++k) b.push_back(uint8_t(uint32_t(s.size()) >> (8 * k)));
        return raw(s);
    }
    PickleBuilder& integer(int64_t v) {                    // LONG1 with 8 bytes
        b.push_back(0x8a);
        b.push_back(8);
        for (int k = 0; k < 8; ++k) b.push_back(uint8_t(uint64_t(v) >> (8 * k)));
        return *this;
    }
    PickleBuilder& global(const std::string& module, const std::string& name) {
        return op('c').raw(module + "\n" + name + "\n");
    }
    PickleBuilder& tensor(const std::string& key, int64_t numel, int64_t offset, const std::vector<int64_t>& shape) {
        global("torch._utils", "_rebuild_tensor_v2").op('(');
        op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).op('t').op('Q');
        integer(offset);
        op('(');
        for (int64_t d : shape) integer(d);
        op('t').op('(');
        int64_t stride = 1;
        std::vector<int64_t> strides(shape.size());
        for (size_t k = shape.size(); k-- > 0;) strides[k] = stride, stride *= shape[k];
        for (int64_t s : strides) integer(s);
        op('t').op(char(0x89));                             // requires_grad False
        global("collections", "OrderedDict").op(')').op('R');
        return op('t').op('R');
    }
    std::vector<uint8_t> done() { op('.'); return b; }
};

// A zip archive of stored entries (what torch.save writes, without alignment padding).
inline std::vector<uint8_t> stored_zip(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& entries) {
    std::vector<uint8_t> out, cd;
    auto le = [](std::vector<uint8_t>& v, uint64_t x, int n) { for (int k = 0; k < n; ++k) v.push_back(uint8_t(x >> (8 * k))); };
    for (const auto& [name, data] : entries) {
        const uint64_t local = out.size();
        le(out, 0x04034b50, 4); le(out, 20, 2); le(out, 0, 2); le(out, 0, 2); le(out, 0, 4); le(out, 0, 4);
        le(out, data.size(), 4); le(out, data.size(), 4); le(out, name.size(), 2); le(out, 0, 2);
        out.insert(out.end(), name.begin(), name.end());
        out.insert(out.end(), data.begin(), data.end());
        le(cd, 0x02014b50, 4); le(cd, 20, 2); le(cd, 20, 2); le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 4); le(cd, 0, 4);
        le(cd, data.size(), 4); le(cd, data.size(), 4); le(cd, name.size(), 2); le(cd, 0, 2); le(cd, 0, 2);
        le(cd, 0, 2); le(cd, 0, 2); le(cd, 0, 4); le(cd, local, 4);
        cd.insert(cd.end(), name.begin(), name.end());
    }
    const uint64_t cd_offset = out.size();
    out.insert(out.end(), cd.begin(), cd.end());
    le(out, 0x06054b50, 4); le(out, 0, 2); le(out, 0, 2); le(out, entries.size(), 2); le(out, entries.size(), 2);
    le(out, cd.size(), 4); le(out, cd_offset, 4); le(out, 0, 2);
    return out;
}

// A tiny alilama checkpoint (one block, f32 storages filled with 0.01 steps); the public
// fields choose the shapes and params the pickle claims.
struct TinyAlilama {
    int64_t dim = 8, hidden = 16, vocab = 12, blocks = 1;
    std::map<std::string, int64_t> params{{"d_model", 8}, {"num_heads", 2}, {"blocks", 1}, {"hidden_dim", 16}};
    int64_t embed_offset = 0;
    int64_t embed_numel = -1;                               // storage numel claimed (-1: real)
    int64_t max_storage = INT64_MAX;                        // floats actually written per storage

    std::vector<uint8_t> pickle_bytes() const {
        PickleBuilder p;
        p.op('}').op('(').str("state_dict").op('}').op('(');
        int key = 0;
        auto t = [&](const std::string& name, std::vector<int64_t> shape, int64_t offset = 0, int64_t numel = -1) {
            int64_t n = 1;
            for (int64_t d : shape) n *= d;
            p.str(name).tensor(std::to_string(key++), numel >= 0 ? numel : n, offset, shape);
        };
        t("embed.weight", {vocab, dim}, embed_offset, embed_numel);
        for (int64_t l = 0; l < blocks; ++l) {
            const std::string b = "blocks." + std::to_string(l) + ".";
            for (const char* n : {"norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"}) t(b + n, {dim});
            for (const char* n : {"MHSA.q.weight", "MHSA.k.weight", "MHSA.v.weight"}) t(b + n, {dim, dim});
            t(b + "MLP.p1.weight", {hidden, dim});
            t(b + "MLP.p2.weight", {dim, hidden});
        }
        p.op('u').str("params").op('}').op('(');
        for (const auto& [k, v] : params) p.str(k).integer(v);
        p.op('u').op('u');
        return p.done();
    }
    std::vector<uint8_t> pth() const {
        std::vector<std::pair<std::string, std::vector<uint8_t>>> e{{"archive/data.pkl", pickle_bytes()},
                                                                    {"archive/byteorder", {'l', 'i', 't', 't', 'l', 'e'}}};
        auto storage = [&](int64_t n) {
            n = std::min(n, max_storage);
            std::vector<uint8_t> d(size_t(n) * 4);
            for (int64_t i = 0; i < n; ++i) {
                const float f = 0.01f * float(i % 97);
                std::memcpy(d.data() + 4 * i, &f, 4);
            }
            return d;
        };
        int key = 0;
        e.emplace_back("archive/data/" + std::to_string(key++), storage(vocab * dim));
        for (int64_t l = 0; l < blocks; ++l) {
            for (int k = 0; k < 4; ++k) e.emplace_back("archive/data/" + std::to_string(key++), storage(dim));
            for (int k = 0; k < 3; ++k) e.emplace_back("archive/data/" + std::to_string(key++), storage(dim * dim));
            for (int k = 0; k < 2; ++k) e.emplace_back("archive/data/" + std::to_string(key++), storage(hidden * dim));
        }
        return stored_zip(e);
    }
};

}  // namespace xl::test
