// GGUF: header, metadata of every value type, tensor infos, every tensor type (each tensor is
// dequantised through the type table, so new types are fuzzed as soon as they are listed),
// then the architecture mapping (model_from_gguf) with its embedded vocabulary.
#include "core/model/gguf_llama.hpp"
#include "core/model/gguf_reader.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const xl::GgufFile g = xl::read_gguf(xl::MappedFile::open(xl::fuzz::as_file(data, size)));
        for (const auto& [key, value] : g.kv) (void)xl::to_text(value);
        for (const xl::GgufTensorInfo& info : g.tensors) {
            xl::Tensor t{info.name, info.type, info.rows(), info.cols(), info.data};
            if (t.nbytes() != info.nbytes) __builtin_trap();  // the reader's size must be the type's size
            (void)xl::dequantize(t);
        }
        (void)xl::model_from_gguf(g);
    });
    return 0;
}
