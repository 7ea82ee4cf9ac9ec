// The subset of Python's pickle protocol (2-5) that torch.save writes for a checkpoint dict:
// plain values, tuples/lists/dicts, collections.OrderedDict, and tensors rebuilt by
// torch._utils._rebuild_tensor_v2 from persistent-id storages ('storage', type, key, location,
// numel). No Python code runs: globals are resolved against a fixed allow-list, anything else
// throws xl::Error(Unsupported) naming the opcode or global and the file.
//
//   xl::PyRef root = xl::read_pickle(bytes, "model.pth", "archive/data.pkl");
//   const xl::PyObject* sd = root->get("state_dict");          // a Dict
//   const xl::PyTensor& t = sd->get("embed.weight")->tensor;  // storage key "0", shape {4000,64}
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xl {

struct PyObject;
using PyRef = std::shared_ptr<PyObject>;

enum class PyKind { None, Bool, Int, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };
const char* to_string(PyKind kind);

// A tensor as the pickle describes it; its data live in the zip entry "<archive>/data/<key>".
struct PyTensor {
    std::string storage_key;        // persistent id key ("0", "1", ...)
    std::string storage_type;       // "FloatStorage", "HalfStorage", "BFloat16Storage", ...
    int64_t storage_numel = 0;      // elements in the whole storage
    int64_t storage_offset = 0;     // in elements
    std::vector<int64_t> shape, stride;
    int64_t numel() const;          // -1 when the product overflows int64
    bool contiguous() const;        // row-major strides (size-1 dims ignored)
};

struct PyObject {
    PyKind kind = PyKind::None;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;                  // String, Bytes; Global: "module name"; Storage: its type name
    std::vector<PyRef> items;       // Tuple, List
    std::vector<std::pair<PyRef, PyRef>> dict;  // Dict (insertion order kept)
    PyTensor tensor;                // Tensor
    // Nesting height (0 for a leaf) and whether the object is already inside a container: a
    // sealed container takes no more items, which makes reference cycles impossible; the
    // height is capped (kMaxPickleDepth), so every walk over the tree is bounded.
    int height = 0;
    bool sealed = false;

    // Dict lookup by string key (nullptr if absent or not a dict).
    const PyObject* get(const std::string& key) const;
    bool is_number() const { return kind == PyKind::Int || kind == PyKind::Float || kind == PyKind::Bool; }
    double number() const { return kind == PyKind::Float ? f : kind == PyKind::Bool ? double(b) : double(i); }
    // Short Python-like text, for metadata and messages: at most `max_chars` characters (then
    // "..."), so shared sub-objects (a DAG through the memo) cannot expand exponentially.
    std::string repr(size_t max_chars = 256) const;
};

constexpr int kMaxPickleDepth = 256;  // containers nested deeper are rejected (BadFile)

// Parses one pickle. Errors name `subject` (the file) and `where` (e.g. the zip entry).
PyRef read_pickle(std::span<const uint8_t> bytes, const std::string& subject, const std::string& where = "");

}  // namespace xl
