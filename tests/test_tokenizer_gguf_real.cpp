// GGUF vocabularies of the real models against llama.cpp's token ids (tests/golden/tokens_*.json,
// written by tools/peers/llamacpp_tokens.py: tokenize(add_bos=True, special=True)), and the
// decoded text against llama.cpp's token_to_piece(special=False).
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/model/gguf_reader.hpp"
#include "core/model/gguf_vocab.hpp"
#include "model_test_files.hpp"

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

nlohmann::json golden(const std::string& model) {
    return nlohmann::json::parse(read_text(std::string(XL_SOURCE_DIR) + "/tests/golden/tokens_" + model + ".json"));
}

uint64_t fnv1a64(const std::vector<int>& ids) {  // over the ids' little-endian 4 bytes, as the script
    uint64_t h = 0xCBF29CE484222325ull;
    for (int t : ids)
        for (int k = 0; k < 4; ++k) {
            h ^= (uint32_t(t) >> (8 * k)) & 0xFF;
            h *= 0x100000001B3ull;
        }
    return h;
}

std::string hex64(uint64_t h) {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
    return b;
}

std::shared_ptr<xl::Tokenizer> load(const std::string& path, double& seconds) {
    const auto t0 = std::chrono::steady_clock::now();
    auto tok = xl::gguf_tokenizer(xl::read_gguf_metadata(xl::MappedFile::open(path)));
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(tok);
    return tok;
}

void check_against_golden(const xl::Tokenizer& tok, const nlohmann::json& g) {
    CHECK(tok.bos() == (g["cases"][0]["ids"].empty() ? -1 : g["bos"].get<int>()));  // "" gives [BOS] or []
    for (const auto& c : g["cases"]) {
        const std::string text = c["text"].get<std::string>();
        INFO("case " << c["name"].get<std::string>() << ": '" << text << "'");
        const std::vector<int> ids = tok.encode(text, true);
        CHECK(ids == c["ids"].get<std::vector<int>>());
        CHECK(tok.decode(ids) == c["detok"].get<std::string>());
    }
    const std::string story = read_text(std::string(XL_SOURCE_DIR) + "/assets/tinystories-valid-first201.txt");
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<int> ids = tok.encode(story, true);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    MESSAGE(tok.kind() << ": " << story.size() << " bytes of TinyStories -> " << ids.size() << " tokens in " << s << " s");
    const auto& st = g["tinystories"];
    CHECK(ids.size() == st["count"].get<size_t>());
    const auto head = st["head"].get<std::vector<int>>();
    CHECK(std::vector<int>(ids.begin(), ids.begin() + long(std::min(head.size(), ids.size()))) == head);
    CHECK(hex64(fnv1a64(ids)) == st["fnv1a64"].get<std::string>());
    CHECK((tok.decode(ids) == story) == st["detok_equals_text"].get<bool>());
}

}  // namespace

TEST_CASE("tokenizer gguf: SmolLM2 byte-level BPE (pre smollm) equals llama.cpp on TinyStories and the hard set") {
    double load_s = 0;
    auto tok = load(xl::test::smollm2_gguf(), load_s);
    MESSAGE("SmolLM2 vocabulary loaded in " << load_s << " s");
    CHECK(tok->vocab_size() == 49152);
    CHECK(tok->bos() == -1);  // add_bos_token False
    CHECK(tok->eos() == 2);
    check_against_golden(*tok, golden("smollm2"));
    // Without a BOS request nothing changes for SmolLM2; a story round-trips without specials.
    CHECK(tok->encode("Once upon a time", false) == tok->encode("Once upon a time", true));
    CHECK(tok->decode(tok->encode("Once upon a time\n\n", false)) == "Once upon a time\n\n");
}

TEST_CASE("tokenizer gguf: Gemma 3 SentencePiece (262144 pieces) equals llama.cpp on TinyStories and the hard set") {
    double load_s = 0;
    auto tok = load(xl::test::gemma3_gguf(), load_s);
    MESSAGE("Gemma 3 vocabulary loaded in " << load_s << " s");
    CHECK(tok->vocab_size() == 262144);
    CHECK(tok->bos() == 2);
    CHECK(tok->eos() == 1);
    check_against_golden(*tok, golden("gemma3"));
    CHECK(tok->encode("Hi", false).front() != 2);
}

TEST_CASE("tokenizer gguf: llama-bpe, qwen2, gpt-2 and default pre-tokenizers equal llama.cpp on SmolLM2's vocabulary") {
    // tools/peers/llamacpp_pretokenizers.py: llama.cpp with tokenizer.ggml.pre overridden.
    const nlohmann::json g = nlohmann::json::parse(
        read_text(std::string(XL_SOURCE_DIR) + "/tests/golden/tokens_smollm2_pre.json"));
    const xl::Vocab base = xl::read_gguf_vocab(xl::read_gguf_metadata(xl::MappedFile::open(xl::test::smollm2_gguf())));
    for (const auto& item : g["pre"].items()) {
        const std::string pre = item.key();  // plain locals: clang cannot capture structured bindings
        const auto& cases = item.value();
        xl::Vocab v = base;
        v.pre = pre;
        v.ignore_merges = pre == "llama-bpe";  // as llama.cpp sets it for the llama-bpe family
        const auto tok = xl::make_tokenizer(std::move(v), "gpt2", "GGUF vocabulary", "SmolLM2");
        for (const auto& c : cases) {
            INFO("pre " << pre << ", case " << c["name"].get<std::string>());
            CHECK(tok->encode(c["text"].get<std::string>(), true) == c["ids"].get<std::vector<int>>());
        }
    }
}
