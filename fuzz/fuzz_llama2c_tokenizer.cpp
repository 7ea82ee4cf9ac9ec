// llama2.c tokenizer.bin: token records, then encode and decode with the vocabulary.
#include "core/model/llama2c_reader.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        auto tok = xl::load_llama2c_tokenizer(xl::fuzz::as_file(data, size));
        const std::vector<int> ids = tok->encode("Once upon a time \xE2\x96\x81 <0x41> \xFF!", true);
        int prev = -1;
        for (int id : ids) {
            if (id < 0 || id >= tok->vocab_size()) __builtin_trap();
            (void)tok->decode_token(prev, id);
            prev = id;
        }
    });
    return 0;
}
