// llama2.c checkpoints (.bin): header plausibility, exact size, tensor slicing.
#include "core/model/llama2c_reader.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        (void)xl::looks_like_llama2c(data, size);
        (void)xl::load_llama2c_model(xl::fuzz::as_file(data, size));
    });
    return 0;
}
