// SentencePiece-BPE encode/decode on the real vocabularies: tok512.bin and the GGUF copy
// agree, text round-trips (mojibake bytes included), the heap merge equals llama2.c's
// quadratic scan, and the character vocabulary of babyllama (no byte fallback) works.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "core/model/gguf_llama.hpp"
#include "core/model/llama2c_reader.hpp"
#include "core/model/llama_spm.hpp"
#include "core/model/sentencepiece_bpe.hpp"
#include "model_test_files.hpp"

namespace {

// llama2.c's encode, written out plainly: per-code-point lookup with byte fallback, then the
// global best-scoring adjacent merge (first strict maximum) until none is left.
std::vector<int> reference_encode(const xl::SentencePieceBpe& tok, const std::string& text) {
    std::vector<int> ids;
    if (!text.empty()) ids.push_back(tok.find(" "));  // the dummy prefix is a token of its own
    const std::string& t = text;
    for (size_t i = 0; i < t.size();) {
        size_t n = 1;
        while (i + n < t.size() && n < 4 && (uint8_t(t[i + n]) & 0xC0) == 0x80) ++n;
        const int id = tok.find(t.substr(i, n));
        if (id >= 0) ids.push_back(id);
        else for (size_t k = 0; k < n; ++k) ids.push_back(tok.byte_token(uint8_t(t[i + k])));
        i += n;
    }
    for (;;) {
        float best = -1e10f;
        int best_id = -1;
        size_t best_at = 0;
        for (size_t i = 0; i + 1 < ids.size(); ++i) {
            const int id = tok.find(tok.piece(ids[i]) + tok.piece(ids[i + 1]));
            if (id >= 0 && tok.score(id) > best) { best = tok.score(id); best_id = id; best_at = i; }
        }
        if (best_id < 0) break;
        ids[best_at] = best_id;
        ids.erase(ids.begin() + std::ptrdiff_t(best_at) + 1);
    }
    return ids;
}

std::vector<std::string> stories() {
    std::ifstream f(xl::test::shared("data/tinystories/valid-first201.txt"), std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string all = ss.str(), sep = "\n<|endoftext|>\n";
    std::vector<std::string> out;
    for (size_t at = 0;;) {
        const size_t next = all.find(sep, at);
        out.push_back(all.substr(at, next == std::string::npos ? std::string::npos : next - at));
        if (next == std::string::npos) break;
        at = next + sep.size();
    }
    return out;
}

}  // namespace

TEST_CASE("tokenizer: tok512.bin and the GGUF vocabulary encode alike") {
    const auto bin = xl::load_llama2c_tokenizer(xl::test::stories_tok(), 512);
    const auto gguf = std::dynamic_pointer_cast<xl::LlamaSpm>(
        xl::gguf_tokenizer(xl::read_gguf(xl::MappedFile::open(xl::test::stories_gguf()))));
    REQUIRE(gguf);
    int differing_pieces = 0;
    for (int id = 0; id < 512; ++id) {
        std::string p = gguf->vocab().tokens[size_t(id)];  // GGUF keeps U+2581 for space
        for (size_t at; (at = p.find("\xE2\x96\x81")) != std::string::npos;) p.replace(at, 3, " ");
        if (bin->piece(id) != p || bin->score(id) != gguf->vocab().scores[size_t(id)]) ++differing_pieces;
    }
    CHECK(differing_pieces == 2);  // BOS and EOS: "\n<s>\n" in tokenizer.bin, "<s>" in GGUF
    CHECK(bin->byte_token(0) == 3);
    CHECK(gguf->find("<0x00>") == 3);

    const std::string text = "Once upon a time";
    const std::vector<int> ids = bin->encode(text, true);
    CHECK(ids.front() == 1);
    CHECK(ids.size() < text.size() / 2);  // merges happened
    CHECK(ids == gguf->encode(text, true));
    CHECK(bin->decode(ids) == text);
    CHECK(gguf->decode(ids) == text);
    CHECK(bin->decode(bin->encode(text, false)) == " " + text);
    CHECK(bin->encode("", true) == std::vector<int>{1});
    CHECK(bin->encode("", false).empty());
    CHECK(bin->decode_token(5, 2).empty());  // EOS decodes to nothing
}

TEST_CASE("tokenizer: TinyStories text round-trips, mojibake included") {
    const auto bin = xl::load_llama2c_tokenizer(xl::test::stories_tok(), 512);
    const auto gguf = xl::gguf_tokenizer(xl::read_gguf(xl::MappedFile::open(xl::test::stories_gguf())));
    const std::vector<std::string> docs = stories();
    REQUIRE(docs.size() == 201);
    CHECK(docs[0].rfind(" Spot. Spot saw the shiny car", 0) == 0);
    const std::vector<int> first = bin->encode(docs[0], true);
    CHECK(bin->decode(first) == docs[0]);
    CHECK(gguf->encode(docs[0], true) == first);
    int round_trip_failures = 0, vocab_disagreements = 0;
    for (const std::string& d : docs) {
        const std::vector<int> ids = bin->encode(d, true);
        if (bin->decode(ids) != d) ++round_trip_failures;
        if (gguf->encode(d, true) != ids) ++vocab_disagreements;
    }
    CHECK(round_trip_failures == 0);
    CHECK(vocab_disagreements == 0);
    // This excerpt is plain ASCII; the dataset's mojibake ("â€™" for "’", UTF-8 of the
    // cp1252 reading of E2 80 99: pieces of tok512) must survive, and so must characters
    // that only byte fallback can spell ("☃", "ü").
    const std::string mojibake = "Lily\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2s cat said \xE2\x80\x9Chi\xE2\x80\x9D"
                                 " to the \xE2\x98\x83 in M\xC3\xBCnchen.";
    const std::vector<int> ids = bin->encode(mojibake, true);
    CHECK(bin->decode(ids) == mojibake);
    CHECK(gguf->encode(mojibake, true) == ids);
    CHECK(std::find(ids.begin(), ids.end(), bin->find("\xC3\xA2")) != ids.end());      // "â" is a piece
    CHECK(std::find(ids.begin(), ids.end(), bin->byte_token(0x98)) != ids.end());      // "☃" is not
}

TEST_CASE("tokenizer: heap merge equals llama2.c's quadratic merge") {
    const auto bin = xl::load_llama2c_tokenizer(xl::test::stories_tok(), 512);
    const std::vector<std::string> docs = stories();
    std::vector<std::string> texts = {"Once upon a time", "a", " ", "  two  spaces ", "naïve café ☃ 🙂",
                                      "\x80\x80\x80\x80\x80 stray continuation bytes", "\n\n"};
    for (size_t i = 0; i < 12; ++i) texts.push_back(docs[i]);
    int differing = 0;
    for (const std::string& t : texts) {
        CAPTURE(t);
        const std::vector<int> a = bin->encode(t, false), b = reference_encode(*bin, t);
        CHECK(a == b);
        if (a != b) ++differing;
    }
    CHECK(differing == 0);
}

TEST_CASE("tokenizer: babyllama character vocabulary without byte fallback") {
    const auto tok = xl::load_llama2c_tokenizer(xl::test::baby_tok(), 105);
    CHECK_FALSE(tok->has_byte_fallback());
    const std::string text = "Once upon a time, there was a little girl named Lily.";
    const std::vector<int> ids = tok->encode(text, true);
    CHECK(ids.front() == 1);
    CHECK(std::find(ids.begin(), ids.end(), 0) == ids.end());  // no <unk>
    CHECK(tok->decode(ids) == text);
    // A newline is not in the vocabulary: it becomes <unk> (id 0), one per unknown character.
    const std::vector<int> nl = tok->encode("a\nb", false);
    CHECK(std::count(nl.begin(), nl.end(), 0) == 1);
}
