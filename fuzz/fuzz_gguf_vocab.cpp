// Vocabularies from GGUF metadata (tokenizer.ggml.*): built, then used to encode and decode.
#include "core/model/gguf_llama.hpp"
#include "core/model/gguf_reader.hpp"
#include "core/model/tokenizer.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const xl::GgufFile g = xl::read_gguf(xl::MappedFile::open(xl::fuzz::as_file(data, size)));
        auto tok = xl::gguf_tokenizer(g);
        if (!tok) return;
        const std::vector<int> ids = tok->encode("Once upon a time, \xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80 42!", true);
        int prev = -1;
        for (int id : ids) {
            if (id < 0 || id >= tok->vocab_size()) __builtin_trap();
            (void)tok->decode_token(prev, id);
            prev = id;
        }
    });
    return 0;
}
