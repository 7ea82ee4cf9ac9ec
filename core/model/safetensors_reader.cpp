// safetensors layout (the format's specification): 8 bytes u64 LE header length N, N bytes of a
// UTF-8 JSON object, then the data buffer; each tensor's data_offsets [begin, end) are relative
// to the buffer's start. The format's own reader caps N at 100 MB; so does this one.
#include "core/model/safetensors_reader.hpp"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"

namespace xl {
namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100'000'000;

struct DtypeRow {
    const char* name;
    int bytes;                        // element size
    std::optional<TensorType> type;   // what the model code can read
};

// Every dtype of the safetensors format; the first three are read, the others are refused by use.
constexpr DtypeRow kDtypes[] = {
    {"F32", 4, TensorType::F32}, {"F16", 2, TensorType::F16}, {"BF16", 2, TensorType::BF16},
    {"F64", 8, {}}, {"I64", 8, {}}, {"U64", 8, {}}, {"I32", 4, {}}, {"U32", 4, {}},
    {"I16", 2, {}}, {"U16", 2, {}}, {"I8", 1, {}}, {"U8", 1, {}}, {"BOOL", 1, {}},
    {"F8_E4M3", 1, {}}, {"F8_E5M2", 1, {}}, {"F8_E8M0", 1, {}},
};

const DtypeRow* find_dtype(const std::string& name) {
    for (const DtypeRow& r : kDtypes)
        if (name == r.name) return &r;
    return nullptr;
}

struct HeaderReader {
    const std::string& path;
    uint64_t buffer_bytes;  // bytes after the header

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorKind::BadFile, path, "bad safetensors header: " + what);
    }

    uint64_t non_negative(const json& v, const std::string& what) const {
        if (v.is_number_unsigned()) return v.get<uint64_t>();
        if (v.is_number_integer() && v.get<int64_t>() >= 0) return uint64_t(v.get<int64_t>());
        fail(what + " must be a non-negative integer, got " + json_excerpt(v));
    }

    SafetensorsTensor tensor(const std::string& name, const json& e) const {
        const std::string where = "tensor '" + name + "'";
        if (!e.is_object()) fail(where + " is not an object");
        for (const char* k : {"dtype", "shape", "data_offsets"})
            if (!e.contains(k)) fail(where + " has no '" + k + "'");
        SafetensorsTensor t;
        t.name = name;
        if (!e["dtype"].is_string()) fail(where + ": 'dtype' must be a string");
        t.dtype = e["dtype"].get<std::string>();
        const DtypeRow* row = find_dtype(t.dtype);
        if (!row) fail(where + " has unknown dtype '" + t.dtype + "'");
        t.type = row->type;
        const json& shape = e["shape"];
        const json& off = e["data_offsets"];
        if (!shape.is_array()) fail(where + ": 'shape' must be a list");
        if (!off.is_array() || off.size() != 2) fail(where + ": 'data_offsets' must be [begin, end]");
        uint64_t bytes = uint64_t(row->bytes);
        for (const json& d : shape) {
            const uint64_t n = non_negative(d, where + " shape entry");
            if (__builtin_mul_overflow(bytes, n, &bytes)) fail(where + ": shape " + json_excerpt(shape) + " overflows 64 bits");
            if (n > uint64_t(INT64_MAX)) fail(where + ": shape " + json_excerpt(shape) + " is too large");
            t.shape.push_back(int64_t(n));
        }
        t.begin = non_negative(off[0], where + " data_offsets begin");
        t.end = non_negative(off[1], where + " data_offsets end");
        if (t.begin > t.end) fail(where + " has data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "] with begin > end");
        if (t.end > buffer_bytes)
            fail(where + " ends at byte " + std::to_string(t.end) + " of the data buffer, but the file holds only " +
                 std::to_string(buffer_bytes) + " bytes after the header (truncated or lying header)");
        if (t.end - t.begin != bytes)
            fail(where + ": shape " + json_excerpt(shape) + " of " + t.dtype + " needs " + std::to_string(bytes) +
                 " bytes, data_offsets give " + std::to_string(t.end - t.begin));
        return t;
    }
};

void read_metadata(const std::string& path, const json& m, SafetensorsFile& out) {
    if (!m.is_object()) throw Error(ErrorKind::BadFile, path, "bad safetensors header: '__metadata__' is not an object");
    for (const auto& [k, v] : m.items()) out.metadata[k] = v.is_string() ? v.get<std::string>() : v.dump();
}

// Tensors must not share bytes (the format requires a dense, non-overlapping buffer).
void check_overlaps(const std::string& path, const std::vector<SafetensorsTensor>& ts) {
    std::vector<const SafetensorsTensor*> order;
    for (const auto& t : ts)
        if (t.end > t.begin) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin < b->begin; });
    for (size_t i = 1; i < order.size(); ++i)
        if (order[i]->begin < order[i - 1]->end)
            throw Error(ErrorKind::BadFile, path, "bad safetensors header: tensors '" + order[i - 1]->name + "' and '" +
                                                      order[i]->name + "' overlap in the data buffer");
}

}  // namespace

int64_t SafetensorsTensor::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

const SafetensorsTensor* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

const char* supported_safetensors_dtypes() { return "F32, F16, BF16"; }

SafetensorsFile read_safetensors(std::shared_ptr<const MappedFile> file) {
    SafetensorsFile out;
    out.path = file->path();
    const size_t size = file->size();
    if (size < 8)
        throw Error(ErrorKind::BadFile, out.path, "truncated safetensors file: " + std::to_string(size) +
                                                      " bytes, shorter than the 8-byte header length");
    uint64_t n = 0;
    std::memcpy(&n, file->data(), 8);
    if (n > kMaxHeaderBytes)
        throw Error(ErrorKind::BadFile, out.path, "not a safetensors file: header length " + std::to_string(n) +
                                                      " bytes exceeds the format's limit of 100 MB");
    if (n > size - 8)
        throw Error(ErrorKind::BadFile, out.path, "truncated safetensors file: header of " + std::to_string(n) +
                                                      " bytes but only " + std::to_string(size - 8) + " bytes follow");
    out.header_bytes = n;
    const char* text = reinterpret_cast<const char*>(file->data() + 8);
    json header;
    try {
        header = parse_json_limited(std::string_view(text, size_t(n)), out.path, ErrorKind::BadFile);
    } catch (const Error& e) {
        throw Error(ErrorKind::BadFile, out.path, std::string("not a safetensors file: the header is not a JSON object (") +
                                                      std::string(e.what()).substr(out.path.size() + 2) + ")");
    }
    if (!header.is_object())
        throw Error(ErrorKind::BadFile, out.path, "not a safetensors file: the header is not a JSON object");
    const HeaderReader reader{out.path, uint64_t(size - 8 - n)};
    const uint8_t* buffer = file->data() + 8 + n;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") {
            read_metadata(out.path, entry, out);
            continue;
        }
        SafetensorsTensor t = reader.tensor(name, entry);
        t.data = buffer + t.begin;
        out.tensors.push_back(std::move(t));
    }
    check_overlaps(out.path, out.tensors);
    out.file = std::move(file);
    return out;
}

}  // namespace xl
