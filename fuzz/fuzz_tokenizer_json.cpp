// Hugging Face tokenizer.json: BPE vocab, merges ("a b" or [a, b]), added tokens, pre-tokenizer
// and post-processor; the tokenizer made from it encodes a short fixed text (special-token
// texts included) and decodes every id.
#include "core/model/hf_tokenizer_json.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const auto tok = xl::load_tokenizer_json(xl::fuzz::as_file(data, size));
        const int n = tok->vocab_size();
        if (tok->bos() >= n || tok->eos() >= n) __builtin_trap();
        for (bool bos : {false, true}) {
            const std::vector<int> ids =
                tok->encode("Once upon a time, <|endoftext|> 123 caf\xC3\xA9 \xF0\x9F\x98\x80\n\n  it's\r\n", bos);
            int prev = -1;
            for (int id : ids) {
                if (id < 0 || id >= n) __builtin_trap();  // an id outside the vocabulary
                (void)tok->decode_token(prev, id);
                prev = id;
            }
        }
    });
    return 0;
}
