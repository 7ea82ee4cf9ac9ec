// safetensors: the header reader (length, JSON header, dtypes, shapes, data_offsets, overlaps),
// then the input as the model.safetensors of a tiny llama folder, through the weight mapping
// (tensor names, shapes, dtypes against config.json).
#include "core/model/hf_model.hpp"
#include "core/model/safetensors_reader.hpp"
#include "fuzz/fuzz_common.hpp"
#include "fuzz/fuzz_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string dir = xl::fuzz::hf_folder("fuzz/data/micro_llama", {"config.json"}, "model.safetensors");
    const std::string path = xl::fuzz::as_file(data, size);
    xl::fuzz::expect_clean([&] {
        const xl::SafetensorsFile st = xl::read_safetensors(xl::MappedFile::open(path));
        for (const xl::SafetensorsTensor& t : st.tensors) {
            if (t.data + t.nbytes() > st.file->data() + st.file->size()) __builtin_trap();  // past the mapping
            (void)t.numel();
        }
    });
    xl::fuzz::expect_clean([&] { (void)xl::load_hf_model(dir); });
    return 0;
}
