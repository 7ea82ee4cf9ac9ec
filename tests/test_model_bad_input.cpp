// Bad model input: truncated, foreign or patched copies of the real files each give one
// xl::Error of the right kind whose message names the file.
#include <doctest/doctest.h>

#include <cstring>

#include "core/error.hpp"
#include "core/model/load_model.hpp"
#include "core/model/llama2c_reader.hpp"
#include "model_test_files.hpp"

namespace {

using xl::ErrorKind;

// Runs load_model and returns the error (fails the test when nothing is thrown).
xl::Error load_error(const std::string& model, const std::string& tok = "") {
    try {
        xl::load_model(model, tok);
    } catch (const xl::Error& e) {
        return e;
    }
    FAIL("no error for " << model);
    return xl::Error(ErrorKind::BadArgument, "", "");
}

bool contains(const xl::Error& e, const std::string& part) {
    return std::string(e.what()).find(part) != std::string::npos;
}

void patch_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) { std::memcpy(b.data() + at, &v, 4); }

}  // namespace

TEST_CASE("bad input: truncated GGUF at several cut points") {
    xl::test::TempDir tmp;
    const std::vector<uint8_t> full = xl::test::read_bytes(xl::test::stories_gguf());
    REQUIRE(full.size() == 1185376);
    // Inside: magic, version, counts, the first key, the token array, tensor infos, before
    // the data section, the first tensor, the last byte.
    for (size_t cut : {size_t(3), size_t(6), size_t(20), size_t(40), size_t(5000), size_t(13000),
                       size_t(14160), size_t(14176 + 100), full.size() - 1}) {
        CAPTURE(cut);
        const std::string p = tmp.write("cut" + std::to_string(cut) + ".gguf",
                                        std::vector<uint8_t>(full.begin(), full.begin() + std::ptrdiff_t(cut)));
        const xl::Error e = load_error(p);
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(contains(e, p));
        if (cut >= 4) CHECK(contains(e, "truncated"));
    }
}

TEST_CASE("bad input: wrong magic, empty file, text file, missing file") {
    xl::test::TempDir tmp;
    std::vector<uint8_t> b = xl::test::read_bytes(xl::test::stories_gguf());
    b[3] = 'X';
    const std::string p = tmp.write("magic.gguf", b);
    xl::Error e = load_error(p);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, p));
    CHECK(contains(e, "not a GGUF, llama2.c or PyTorch checkpoint"));
    CHECK(contains(e, "GGUX"));

    const std::string empty = tmp.write("empty.bin", {});
    CHECK(load_error(empty).kind() == ErrorKind::BadFile);
    const std::string text = tmp.write("story.txt", xl::test::read_bytes(xl::test::shared("data/tinystories/README.md")));
    e = load_error(text);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, "story.txt"));

    e = load_error(tmp.path("no-such-model.gguf"));
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, "no-such-model.gguf"));
    CHECK(contains(e, "cannot open"));
}

TEST_CASE("bad input: unknown GGUF architecture") {
    xl::test::TempDir tmp;
    std::vector<uint8_t> b = xl::test::read_bytes(xl::test::stories_gguf());
    const size_t key = xl::test::find_bytes(b, "general.architecture");
    REQUIRE(key != SIZE_MAX);
    const size_t value = key + 20 + 4 + 8;  // key, u32 type, u64 length
    REQUIRE(std::memcmp(b.data() + value, "llama", 5) == 0);
    std::memcpy(b.data() + value, "gemma", 5);
    const std::string p = tmp.write("arch.gguf", b);
    const xl::Error e = load_error(p);
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(contains(e, p));
    CHECK(contains(e, "architecture 'gemma' is not supported (supported: llama, qwen2, qwen3, gemma3, phi3)"));
}

TEST_CASE("bad input: unknown GGUF tensor type") {
    xl::test::TempDir tmp;
    std::vector<uint8_t> b = xl::test::read_bytes(xl::test::stories_gguf());
    // Tensor info: name, u32 n_dims (2), u64 ne[2], u32 type.
    const size_t name = xl::test::find_bytes(b, "blk.0.attn_q.weight");
    REQUIRE(name != SIZE_MAX);
    const size_t type_at = name + 19 + 4 + 16;
    for (uint32_t type : {9u, 16u, 77u}) {  // Q8_1 (not a weight type), IQ2_XXS, past the table
        CAPTURE(type);
        patch_u32(b, type_at, type);
        const std::string p = tmp.write("type" + std::to_string(type) + ".gguf", b);
        const xl::Error e = load_error(p);
        CHECK(e.kind() == ErrorKind::Unsupported);
        CHECK(contains(e, p));
        CHECK(contains(e, "'blk.0.attn_q.weight'"));
        CHECK(contains(e, "ggml type " + std::to_string(type)));
    }
    patch_u32(b, type_at, 16);
    const xl::Error iq2 = load_error(tmp.write("iq2.gguf", b));
    CHECK(contains(iq2, "(IQ2_XXS)"));
    CHECK(contains(iq2, "supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, IQ4_XS"));
    // A supported block type whose rows are not whole blocks (64 columns, Q4_K blocks of 256).
    patch_u32(b, type_at, 12);
    const xl::Error cut = load_error(tmp.write("q4k.gguf", b));
    CHECK(cut.kind() == ErrorKind::BadFile);
    CHECK(contains(cut, "Q4_K tensor 'blk.0.attn_q.weight'"));
    CHECK(contains(cut, "not a multiple of 256"));
}

TEST_CASE("bad input: GGUF of an unsupported version") {
    xl::test::TempDir tmp;
    std::vector<uint8_t> b = xl::test::read_bytes(xl::test::stories_gguf());
    patch_u32(b, 4, 1);
    const xl::Error e = load_error(tmp.write("v1.gguf", b));
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(contains(e, "v1.gguf"));
    CHECK(contains(e, "version 1"));
}

TEST_CASE("bad input: truncated and padded llama2.c checkpoints") {
    xl::test::TempDir tmp;
    const std::vector<uint8_t> full = xl::test::read_bytes(xl::test::stories_bin());
    REQUIRE(full.size() == 1056540);
    for (size_t cut : {size_t(40), size_t(500000), full.size() - 4}) {
        CAPTURE(cut);
        const std::string p = tmp.write("cut.bin", std::vector<uint8_t>(full.begin(), full.begin() + std::ptrdiff_t(cut)));
        const xl::Error e = load_error(p, xl::test::stories_tok());
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(contains(e, "cut.bin"));
        CHECK(contains(e, "truncated"));
    }
    std::vector<uint8_t> longer = full;
    longer.resize(full.size() + 8, 0);
    const xl::Error e = load_error(tmp.write("long.bin", longer), xl::test::stories_tok());
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, "long.bin"));
    CHECK(contains(e, "trailing"));
}

TEST_CASE("bad input: llama2.c checkpoint alone asks for a tokenizer") {
    xl::test::TempDir tmp;
    const std::string p = tmp.write("stories260K.bin", xl::test::read_bytes(xl::test::stories_bin()));
    const xl::Error e = load_error(p);
    CHECK(e.kind() == ErrorKind::BadArgument);
    CHECK(contains(e, "stories260K.bin"));
    CHECK(contains(e, "--tokenizer"));
    tmp.write("tokenizer.bin", xl::test::read_bytes(xl::test::stories_tok()));
    CHECK(xl::load_model(p).tokenizer->vocab_size() == 512);
}

TEST_CASE("bad input: tokenizer that does not match the model") {
    for (const std::string& model : {xl::test::stories_bin(), xl::test::stories_gguf()}) {
        CAPTURE(model);
        const xl::Error e = load_error(model, xl::test::baby_tok());
        CHECK(e.kind() == ErrorKind::Mismatch);
        CHECK(contains(e, "tok105.bin"));
        CHECK(contains(e, "105"));
        CHECK(contains(e, "512"));
    }
    CHECK(load_error(xl::test::baby_bin(), xl::test::stories_tok()).kind() == ErrorKind::Mismatch);
    // A GGUF file lends its vocabulary as a tokenizer.
    CHECK(xl::load_model(xl::test::stories_bin(), xl::test::stories_gguf()).tokenizer->vocab_size() == 512);
}

TEST_CASE("bad input: truncated or foreign tokenizer.bin") {
    xl::test::TempDir tmp;
    std::vector<uint8_t> tok = xl::test::read_bytes(xl::test::stories_tok());
    tok.resize(tok.size() - 3);
    xl::Error e = load_error(xl::test::stories_bin(), tmp.write("cut_tok.bin", tok));
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, "cut_tok.bin"));
    CHECK(contains(e, "truncated"));
    e = load_error(xl::test::stories_bin(), xl::test::shared("data/tinystories/README.md"));
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(contains(e, "README.md"));
    CHECK(xl::looks_like_llama2c(tok.data(), tok.size()) == false);
}

TEST_CASE("bad input: corrupted GGUF headers never crash") {
    // Random bytes of the header region (metadata, tensor infos) overwritten: each copy either
    // loads or throws xl::Error; nothing else escapes.
    xl::test::TempDir tmp;
    const std::vector<uint8_t> full = xl::test::read_bytes(xl::test::stories_gguf());
    uint32_t rng = 12345;
    auto next = [&] { rng = rng * 1664525u + 1013904223u; return rng >> 8; };
    int errors = 0, loaded = 0, other = 0;
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<uint8_t> b = full;
        for (int k = 0; k < 1 + trial % 4; ++k) b[8 + next() % 14168] = uint8_t(next());
        const std::string p = tmp.write("fuzz.gguf", b);
        try {
            xl::load_model(p);
            ++loaded;
        } catch (const xl::Error&) {
            ++errors;
        } catch (...) {
            ++other;
        }
    }
    CHECK(other == 0);
    CHECK(errors > 0);
    CHECK(errors + loaded == 60);
}
