// PyTorch zip checkpoints: zip + pickle + the alilama state_dict mapping.
#include "core/model/pth_reader.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // No tokenizer.model beside an in-memory file: the model loads without one.
    xl::fuzz::expect_clean([&] { (void)xl::load_pth_model(xl::fuzz::as_file(data, size), ""); });
    return 0;
}
