// minbpe tokenizer.model: header, special tokens, merges; then encode and decode.
#include "core/model/minbpe_tokenizer.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        auto tok = xl::load_minbpe_tokenizer(xl::fuzz::as_file(data, size));
        for (int id : tok->encode(" STARTSTORY Once upon a time, 123 \xC3\xA9\xFF\n\n", false)) {
            if (id < 0 || id >= tok->vocab_size()) __builtin_trap();
            (void)tok->decode_token(-1, id);
        }
    });
    return 0;
}
