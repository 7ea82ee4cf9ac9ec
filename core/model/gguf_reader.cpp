// GGUF layout (v2/v3, little-endian): "GGUF", u32 version, u64 n_tensors, u64 n_kv;
// n_kv × (string key, u32 type, value); n_tensors × (string name, u32 n_dims, u64 ne[n_dims],
// u32 ggml_type, u64 offset); padding to general.alignment; the data section.
// Strings are u64 length + bytes; arrays are u32 element type + u64 count + elements.
#include "core/model/gguf_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/model/tensor_types.hpp"

namespace xl {
namespace {

constexpr int kMaxDims = 4;       // GGML_MAX_DIMS
constexpr int kMaxNesting = 4;    // arrays of arrays of ...
// Each parsed array element costs ~70 bytes of GgufValue for as little as 1 byte of file: cap
// their total (the largest real vocabularies hold ~262k tokens x 3 arrays + merges).
constexpr uint64_t kMaxArrayValues = uint64_t(1) << 23;

// Bounds-checked little-endian reads over the mapping; every failure names what was cut.
class Cursor {
public:
    Cursor(const uint8_t* data, size_t size, const std::string& path)
        : data_(data), size_(size), path_(path) {}
    size_t pos() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }
    void need(size_t n, const std::string& what) const {
        if (n > remaining())
            throw Error(ErrorKind::BadFile, path_,
                        "truncated GGUF file: " + what + " at offset " + std::to_string(pos_) +
                            " needs " + std::to_string(n) + " bytes, " +
                            std::to_string(remaining()) + " left");
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorKind::BadFile, path_,
                    "truncated GGUF file: " + what + " at offset " + std::to_string(pos_) +
                        " do not fit in the " + std::to_string(remaining()) + " bytes left");
    }
    template <class T>
    T read(const std::string& what) {
        need(sizeof(T), what);
        T v;
        std::memcpy(&v, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }
    std::string_view read_string(const std::string& what) {
        const uint64_t n = read<uint64_t>(what + " (length)");
        need(n, what);
        std::string_view s(reinterpret_cast<const char*>(data_ + pos_), size_t(n));
        pos_ += size_t(n);
        return s;
    }

private:
    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    const std::string& path_;

public:
    uint64_t array_values = 0;  // elements of every metadata array so far (kMaxArrayValues)
};

size_t scalar_size(GgufType t) {
    switch (t) {
        case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
        case GgufType::U16: case GgufType::I16: return 2;
        case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
        case GgufType::U64: case GgufType::I64: case GgufType::F64: return 8;
        case GgufType::String: return 8;   // at least the length
        case GgufType::Array: return 12;   // at least type + count
    }
    return 1;
}

GgufType read_type(Cursor& c, const std::string& what, const std::string& path) {
    const uint32_t t = c.read<uint32_t>(what);
    if (t > uint32_t(GgufType::F64))
        throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: " + what + " has unknown value type " +
                                                  std::to_string(t));
    return GgufType(t);
}

GgufValue read_value(Cursor& c, GgufType type, const std::string& what, const std::string& path,
                     int depth) {
    GgufValue v;
    v.type = type;
    switch (type) {
        case GgufType::U8: v.i = c.read<uint8_t>(what); break;
        case GgufType::I8: v.i = c.read<int8_t>(what); break;
        case GgufType::U16: v.i = c.read<uint16_t>(what); break;
        case GgufType::I16: v.i = c.read<int16_t>(what); break;
        case GgufType::U32: v.i = c.read<uint32_t>(what); break;
        case GgufType::I32: v.i = c.read<int32_t>(what); break;
        case GgufType::U64: v.i = int64_t(c.read<uint64_t>(what)); break;
        case GgufType::I64: v.i = c.read<int64_t>(what); break;
        case GgufType::Bool: v.i = c.read<uint8_t>(what) != 0; break;
        case GgufType::F32: v.f = c.read<float>(what); break;
        case GgufType::F64: v.f = c.read<double>(what); break;
        case GgufType::String: v.s = c.read_string(what); break;
        case GgufType::Array: {
            if (depth >= kMaxNesting)
                throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: " + what + " nests arrays too deeply");
            v.elem = read_type(c, what + " (element type)", path);
            const uint64_t n = c.read<uint64_t>(what + " (count)");
            // Every element takes at least scalar_size bytes: reject impossible counts before allocating.
            if (n > c.remaining() / scalar_size(v.elem))
                c.fail(what + " (" + std::to_string(n) + " elements)");
            c.array_values += n;
            if (c.array_values > kMaxArrayValues)
                throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: " + what + " brings the metadata arrays to " +
                                                          std::to_string(c.array_values) + " elements (at most " +
                                                          std::to_string(kMaxArrayValues) + " are read)");
            v.items.reserve(size_t(std::min<uint64_t>(n, 1 << 16)));  // grows as elements really parse
            for (uint64_t k = 0; k < n; ++k)
                v.items.push_back(read_value(c, v.elem, what + "[" + std::to_string(k) + "]", path, depth + 1));
            break;
        }
    }
    return v;
}

std::string shape_text(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

GgufTensorInfo read_tensor_info(Cursor& c, size_t index, const std::string& path) {
    GgufTensorInfo t;
    const std::string what = "tensor info #" + std::to_string(index);
    t.name = std::string(c.read_string(what + " name"));
    const std::string named = "tensor info '" + t.name + "'";
    const uint32_t n_dims = c.read<uint32_t>(named + " n_dims");
    if (n_dims == 0 || n_dims > kMaxDims)
        throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: tensor '" + t.name + "' has " +
                                                  std::to_string(n_dims) + " dimensions");
    int64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
        const uint64_t ne = c.read<uint64_t>(named + " ne[" + std::to_string(d) + "]");
        if (ne == 0 || ne > (uint64_t(1) << 40) || elements > (int64_t(1) << 46) / int64_t(ne))
            throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: tensor '" + t.name +
                                                      "' has an impossible dimension " + std::to_string(ne));
        t.ne.push_back(int64_t(ne));
        elements *= int64_t(ne);
    }
    t.ggml_type = c.read<uint32_t>(named + " type");
    t.offset = c.read<uint64_t>(named + " offset");
    const TensorTypeInfo* info = type_info_by_ggml(t.ggml_type);
    if (!info)
        throw Error(ErrorKind::Unsupported, path,
                    "tensor '" + t.name + "' has ggml type " + std::to_string(t.ggml_type) + " (" +
                        ggml_type_name(t.ggml_type) + "), which is not supported (supported: " +
                        supported_type_names() + ")");
    t.type = info->type;
    if (t.ne[0] % info->block_elems != 0)
        throw Error(ErrorKind::BadFile, path, "corrupt GGUF file: " + std::string(info->name) + " tensor '" + t.name +
                                                  "' has " + shape_text(t.ne) + " elements, ne[0] not a multiple of " +
                                                  std::to_string(info->block_elems));
    t.nbytes = size_t(t.rows()) * row_bytes(t.type, t.cols());
    return t;
}

void read_metadata(Cursor& c, uint64_t n_kv, GgufFile& g) {
    for (uint64_t k = 0; k < n_kv; ++k) {
        const std::string what = "metadata key #" + std::to_string(k);
        std::string key(c.read_string(what));
        const GgufType type = read_type(c, "type of metadata '" + key + "'", g.path);
        GgufValue v = read_value(c, type, "metadata '" + key + "'", g.path, 0);
        if (!g.kv_index.emplace(key, g.kv.size()).second)
            throw Error(ErrorKind::BadFile, g.path, "corrupt GGUF file: duplicate metadata key '" + key + "'");
        g.kv.emplace_back(std::move(key), std::move(v));
    }
    if (const GgufValue* a = g.find("general.alignment")) {
        if (!a->is_int() || a->i <= 0 || a->i > (1 << 20) || (a->i & (a->i - 1)) != 0)
            throw Error(ErrorKind::BadFile, g.path, "corrupt GGUF file: general.alignment " + to_text(*a) +
                                                        " is not a power of two");
        g.alignment = uint32_t(a->i);
    }
}

// Resolves each tensor's data pointer inside the aligned data section, checking bounds.
void place_tensors(Cursor& c, GgufFile& g) {
    const size_t size = g.file->size();
    g.data_offset = (c.pos() + g.alignment - 1) / g.alignment * g.alignment;
    if (!g.tensors.empty() && g.data_offset > size)
        throw Error(ErrorKind::BadFile, g.path, "truncated GGUF file: the data section (offset " +
                                                    std::to_string(g.data_offset) + ") is missing");
    for (GgufTensorInfo& t : g.tensors) {
        if (t.offset % g.alignment != 0)
            throw Error(ErrorKind::BadFile, g.path, "corrupt GGUF file: tensor '" + t.name + "' offset " +
                                                        std::to_string(t.offset) + " is not aligned to " +
                                                        std::to_string(g.alignment));
        const uint64_t avail = size - g.data_offset;
        if (t.offset > avail || t.nbytes > avail - t.offset)
            throw Error(ErrorKind::BadFile, g.path,
                        "truncated tensor data for '" + t.name + "': needs bytes " + std::to_string(t.offset) +
                            ".." + std::to_string(t.offset + t.nbytes) + " of the data section, which has " +
                            std::to_string(avail));
        t.data = g.file->data() + g.data_offset + t.offset;
    }
}

std::string number_text(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", f);
    return buf;
}

}  // namespace

const char* to_string(GgufType t) {
    switch (t) {
        case GgufType::U8: return "u8";
        case GgufType::I8: return "i8";
        case GgufType::U16: return "u16";
        case GgufType::I16: return "i16";
        case GgufType::U32: return "u32";
        case GgufType::I32: return "i32";
        case GgufType::F32: return "f32";
        case GgufType::Bool: return "bool";
        case GgufType::String: return "string";
        case GgufType::Array: return "array";
        case GgufType::U64: return "u64";
        case GgufType::I64: return "i64";
        case GgufType::F64: return "f64";
    }
    return "?";
}

bool GgufValue::is_int() const {
    return !is_float() && !is_string() && !is_array();
}

std::string to_text(const GgufValue& v) {
    constexpr size_t kMaxString = 160;
    constexpr size_t kMaxItems = 8;
    switch (v.type) {
        case GgufType::Bool: return v.i ? "true" : "false";
        case GgufType::U64: return std::to_string(uint64_t(v.i));
        case GgufType::F32: case GgufType::F64: return number_text(v.f);
        case GgufType::String:
            if (v.s.size() <= kMaxString) return std::string(v.s);
            return std::string(v.s.substr(0, kMaxString)) + "... (" + std::to_string(v.s.size()) + " bytes)";
        case GgufType::Array: {
            if (v.items.size() > kMaxItems)
                return "[array of " + std::to_string(v.items.size()) + " " + to_string(v.elem) +
                       (v.elem == GgufType::String ? "s]" : " values]");
            std::string s = "[";
            for (size_t k = 0; k < v.items.size(); ++k) {
                if (k) s += ", ";
                s += v.elem == GgufType::String ? "\"" + to_text(v.items[k]) + "\"" : to_text(v.items[k]);
            }
            return s + "]";
        }
        default: return std::to_string(v.i);
    }
}

int64_t GgufTensorInfo::rows() const {
    int64_t r = 1;
    for (size_t d = 1; d < ne.size(); ++d) r *= ne[d];
    return r;
}

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = kv_index.find(std::string(key));
    return it == kv_index.end() ? nullptr : &kv[it->second].second;
}

const GgufTensorInfo* GgufFile::find_tensor(std::string_view name) const {
    auto it = tensor_index.find(std::string(name));
    return it == tensor_index.end() ? nullptr : &tensors[it->second];
}

namespace {
const GgufValue& require(const GgufFile& g, std::string_view key, bool ok(const GgufValue&),
                         const char* expected) {
    const GgufValue* v = g.find(key);
    if (!v) throw Error(ErrorKind::BadFile, g.path, "missing metadata key '" + std::string(key) + "'");
    if (!ok(*v))
        throw Error(ErrorKind::BadFile, g.path, "metadata key '" + std::string(key) + "' is " +
                                                    to_string(v->type) + ", expected " + expected);
    return *v;
}
}  // namespace

int64_t GgufFile::get_int(std::string_view key) const {
    return require(*this, key, [](const GgufValue& v) { return v.is_int(); }, "an integer").i;
}

double GgufFile::get_float(std::string_view key) const {
    const GgufValue& v = require(*this, key, [](const GgufValue& v) { return v.is_int() || v.is_float(); },
                                 "a number");
    return v.is_float() ? v.f : double(v.i);
}

std::string GgufFile::get_string(std::string_view key) const {
    return std::string(require(*this, key, [](const GgufValue& v) { return v.is_string(); }, "a string").s);
}

const char* ggml_type_name(uint32_t id) {
    static const char* const names[] = {
        "F32", "F16", "Q4_0", "Q4_1", "Q4_2 (removed)", "Q4_3 (removed)", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
        "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M",
        "BF16", "Q4_0_4_4 (removed)", "Q4_0_4_8 (removed)", "Q4_0_8_8 (removed)", "TQ1_0", "TQ2_0",
        "IQ4_NL_4_4 (removed)", "IQ4_NL_4_8 (removed)", "IQ4_NL_8_8 (removed)", "MXFP4",
    };
    return id < sizeof(names) / sizeof(names[0]) ? names[id] : "unknown";
}

namespace {

struct GgufCounts {
    uint64_t tensors = 0, metadata = 0;
};

// Magic, version and the two counts (checked against the bytes left), then the metadata.
GgufCounts read_header_and_metadata(Cursor& c, GgufFile& g) {
    c.need(4, "magic");
    if (std::memcmp(g.file->data(), "GGUF", 4) != 0)
        throw Error(ErrorKind::BadFile, g.path, "not a GGUF file (wrong magic)");
    c.read<uint32_t>("magic");
    g.version = c.read<uint32_t>("version");
    if (g.version != 2 && g.version != 3)
        throw Error(ErrorKind::Unsupported, g.path,
                    "GGUF version " + std::to_string(g.version) + " is not supported (supported: 2, 3" +
                        (g.version > 0xffff ? "; a big-endian file?)" : ")"));
    GgufCounts n;
    n.tensors = c.read<uint64_t>("tensor count");
    n.metadata = c.read<uint64_t>("metadata count");
    // Each key/value needs at least 12 bytes, each tensor info at least 36: reject absurd counts early.
    if (n.metadata > c.remaining() / 12) c.fail(std::to_string(n.metadata) + " metadata entries");
    if (n.tensors > c.remaining() / 36) c.fail(std::to_string(n.tensors) + " tensor infos");
    read_metadata(c, n.metadata, g);
    return n;
}

GgufFile open_gguf(std::shared_ptr<const MappedFile> file) {
    GgufFile g;
    g.path = file->path();
    g.file = std::move(file);
    return g;
}

}  // namespace

GgufFile read_gguf(std::shared_ptr<const MappedFile> file) {
    GgufFile g = open_gguf(std::move(file));
    Cursor c(g.file->data(), g.file->size(), g.path);
    const uint64_t n_tensors = read_header_and_metadata(c, g).tensors;
    g.tensors.reserve(size_t(std::min<uint64_t>(n_tensors, 1 << 16)));
    for (uint64_t k = 0; k < n_tensors; ++k) {
        g.tensors.push_back(read_tensor_info(c, size_t(k), g.path));
        if (!g.tensor_index.emplace(g.tensors.back().name, g.tensors.size() - 1).second)
            throw Error(ErrorKind::BadFile, g.path, "corrupt GGUF file: duplicate tensor '" +
                                                        g.tensors.back().name + "'");
    }
    place_tensors(c, g);
    return g;
}

// Header and metadata only (a vocabulary: the tensors are not read).
GgufFile read_gguf_metadata(std::shared_ptr<const MappedFile> file) {
    GgufFile g = open_gguf(std::move(file));
    Cursor c(g.file->data(), g.file->size(), g.path);
    read_header_and_metadata(c, g);
    return g;
}

}  // namespace xl
