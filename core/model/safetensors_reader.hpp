// safetensors container reader: u64 little-endian header length N, N bytes of JSON
// ({"name": {"dtype": "BF16", "shape": [rows, cols], "data_offsets": [begin, end]}, ...,
// "__metadata__": {"key": "text"}}), then the byte buffer the offsets point into.
//
//   auto st = xl::read_safetensors(xl::MappedFile::open("model.safetensors"));
//   const xl::SafetensorsTensor* t = st.find("model.embed_tokens.weight");
//   t->shape == {vocab, dim}; t->data points into the mapping (kept alive by st.file).
//
// Everything the header says is checked against the file's real size before anything is used:
// N, every begin <= end <= buffer size, shape × element size == end - begin (overflow-checked),
// and tensors that overlap. A lying header is one Error(BadFile) naming the file, the tensor and
// the numbers. Every dtype of the format is known (element size); only F32, F16 and BF16 map to
// a TensorType: the others are kept (`type` empty) and refused where a model uses them.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/model/mapped_file.hpp"
#include "core/model/model.hpp"

namespace xl {

struct SafetensorsTensor {
    std::string name;
    std::string dtype;                  // as written: "F32", "BF16", "I64", ...
    std::optional<TensorType> type;     // F32 / F16 / BF16; empty for other dtypes
    std::vector<int64_t> shape;         // row-major, outermost first
    uint64_t begin = 0, end = 0;        // data_offsets, relative to the buffer after the header
    const uint8_t* data = nullptr;      // into the mapping
    size_t nbytes() const { return size_t(end - begin); }
    int64_t numel() const;
};

struct SafetensorsFile {
    std::string path;
    uint64_t header_bytes = 0;                       // N
    std::vector<SafetensorsTensor> tensors;          // sorted by name
    std::map<std::string, std::string> metadata;     // "__metadata__"
    std::shared_ptr<const MappedFile> file;

    const SafetensorsTensor* find(const std::string& name) const;
};

SafetensorsFile read_safetensors(std::shared_ptr<const MappedFile> file);

// "F32, F16, BF16": the dtypes models may use.
const char* supported_safetensors_dtypes();

}  // namespace xl
