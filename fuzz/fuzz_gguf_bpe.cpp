// GGUF GPT-2 byte-level BPE vocabularies (tokenizer.ggml.model "gpt2": tokens, token types,
// merges, special ids) encoded through every pre-tokenizer, not only the one the file names
// (fuzz_gguf_vocab follows the file): a fixed text, then the file's own first tokens joined,
// so fuzzed bytes reach the pre-tokenizers' matchers too.
#include "core/model/byte_level_bpe.hpp"
#include "core/model/gguf_reader.hpp"
#include "core/model/gguf_vocab.hpp"
#include "fuzz/fuzz_common.hpp"

namespace {

void encode_checked(const xl::ByteLevelBpe& tok, std::string_view text) {
    const int n = tok.vocab_size();
    for (bool bos : {false, true}) {
        int prev = -1;
        for (int id : tok.encode(text, bos)) {
            if (id < 0 || id >= n) __builtin_trap();
            (void)tok.decode_token(prev, id);
            prev = id;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const xl::GgufFile g = xl::read_gguf(xl::MappedFile::open(xl::fuzz::as_file(data, size)));
        if (!g.find("tokenizer.ggml.model") || g.get_string("tokenizer.ggml.model") != "gpt2") return;
        const xl::Vocab v = xl::read_gguf_vocab(g);
        std::string own;  // the file's first tokens, as text
        for (size_t i = 0; i < v.tokens.size() && own.size() < 2048; ++i) own += v.tokens[i];
        for (xl::PreTokenizer p : {xl::PreTokenizer::Gpt2, xl::PreTokenizer::Smollm, xl::PreTokenizer::Llama3,
                                   xl::PreTokenizer::Qwen2, xl::PreTokenizer::Default}) {
            const xl::ByteLevelBpe tok(v, p, "fuzz");
            encode_checked(tok, "Hello world, it's 2024! caf\xC3\xA9 \xE4\xBD\xA0\xE5\xA5\xBD 12345 \t\n\n x\xFF\xC0 <|endoftext|>");
            encode_checked(tok, own);
        }
    });
    return 0;
}
