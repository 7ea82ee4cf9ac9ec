// GGUF container reader (versions 2 and 3, little-endian): header, metadata key/values of every
// type (arrays included), tensor infos, general.alignment and the aligned data section, with
// bounds checks on everything. Architecture-specific interpretation lives in gguf_llama.hpp.
//
//   xl::GgufFile g = xl::read_gguf(xl::MappedFile::open("stories260K.gguf"));
//   int64_t n = g.get_int("llama.block_count");             // throws BadFile when missing
//   const xl::GgufTensorInfo* t = g.find_tensor("token_embd.weight");
//
// Errors: truncated or corrupt file -> ErrorKind::BadFile naming the file and what is cut;
// v1 / unknown versions and tensor types other than F32, F16, BF16, Q8_0 -> ErrorKind::Unsupported.
// Strings and tensor data are views into the mapping that GgufFile::file keeps alive.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model/mapped_file.hpp"
#include "core/model/model.hpp"

namespace xl {

// gguf_type of the GGUF specification (metadata value types).
enum class GgufType : uint32_t {
    U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
    String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* to_string(GgufType t);

struct GgufValue {
    GgufType type = GgufType::U8;
    int64_t i = 0;                  // integer and bool types (U64 stored bitwise)
    double f = 0;                   // F32 / F64
    std::string_view s;             // String
    GgufType elem = GgufType::U8;   // Array: element type
    std::vector<GgufValue> items;   // Array: elements (arrays may nest)

    bool is_int() const;            // any integer type or bool
    bool is_float() const { return type == GgufType::F32 || type == GgufType::F64; }
    bool is_string() const { return type == GgufType::String; }
    bool is_array() const { return type == GgufType::Array; }
};
// Text for `info`: scalars as written, strings as is (long ones cut), arrays of up to 8 items
// listed, longer ones summarised ("[array of 512 strings]").
std::string to_text(const GgufValue& v);

struct GgufTensorInfo {
    std::string name;
    uint32_t ggml_type = 0;         // ggml_type id as stored
    TensorType type = TensorType::F32;
    std::vector<int64_t> ne;        // ggml order: ne[0] = cols (in features), ne[1] = rows
    uint64_t offset = 0;            // relative to the data section
    const uint8_t* data = nullptr;  // into the mapping
    size_t nbytes = 0;
    int64_t cols() const { return ne.empty() ? 1 : ne[0]; }
    int64_t rows() const;           // product of ne[1..] (1 for vectors)
};

struct GgufFile {
    std::string path;
    uint32_t version = 0;
    uint32_t alignment = 32;        // general.alignment (default 32)
    uint64_t data_offset = 0;       // start of the data section in the file
    std::vector<std::pair<std::string, GgufValue>> kv;  // in file order
    std::vector<GgufTensorInfo> tensors;                // in file order
    std::shared_ptr<const MappedFile> file;

    const GgufValue* find(std::string_view key) const;
    const GgufTensorInfo* find_tensor(std::string_view name) const;
    // Typed getters: throw BadFile naming the key when it is missing or of the wrong type.
    int64_t get_int(std::string_view key) const;
    double get_float(std::string_view key) const;   // accepts integers too
    std::string get_string(std::string_view key) const;
};

GgufFile read_gguf(std::shared_ptr<const MappedFile> file);
GgufFile read_gguf_metadata(std::shared_ptr<const MappedFile> file);  // no tensor infos

// Name of a ggml_type id ("Q4_K", "BF16", ...; "unknown" past the table).
const char* ggml_type_name(uint32_t id);

}  // namespace xl
