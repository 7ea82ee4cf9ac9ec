// minbpe tokenizer of the alilama model: GPT-4 split pattern, merges, round trips.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.hpp"
#include "core/model/minbpe_split.hpp"
#include "core/model/minbpe_tokenizer.hpp"

namespace {

const std::string kDir = std::string(XL_SHARED_DIR) + "/models/alilama/";

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> chunks(std::string_view text, xl::SplitPattern p) {
    std::vector<std::string> out;
    for (std::string_view c : xl::split_text(text, p)) out.emplace_back(c);
    return out;
}

std::string detok(const xl::Tokenizer& tok, const std::vector<int>& ids) {
    std::string s;
    int prev = -1;
    for (int id : ids) s += tok.decode_token(prev, id), prev = id;
    return s;
}

// Token ids of whole-word tokens as minbpe's human-readable tokenizer.vocab renders them:
// "[a][b] -> [text] id" (merges) or "[text] id" (bytes).
std::map<std::string, int> vocab_file_ids(const std::string& path) {
    std::map<std::string, int> ids;
    std::istringstream in(read_all(path));
    std::string line;
    while (std::getline(in, line)) {
        size_t close = line.rfind("] "), open = line.rfind(" -> [");
        if (close == std::string::npos) continue;
        size_t start = open == std::string::npos ? 1 : open + 5;
        ids[line.substr(start, close - start)] = std::stoi(line.substr(close + 2));
    }
    return ids;
}

}  // namespace

TEST_CASE("pth tokenizer: GPT-4 split follows the regex engine on tricky inputs") {
    using P = xl::SplitPattern;
    // Expected chunks are what Python's `regex` findall gives for minbpe's GPT-4 pattern.
    CHECK(chunks("x  \n\n  y", P::GPT4) == std::vector<std::string>{"x", "  \n\n", " ", " y"});
    CHECK(chunks("hi!!\n\nok", P::GPT4) == std::vector<std::string>{"hi", "!!\n\n", "ok"});
    CHECK(chunks("I'M don't", P::GPT4) == std::vector<std::string>{"I", "'M", " don", "'t"});
    CHECK(chunks(" 1234567", P::GPT4) == std::vector<std::string>{" ", "123", "456", "7"});
    CHECK(chunks("a 123", P::GPT4) == std::vector<std::string>{"a", " ", "123"});
    CHECK(chunks("a\xC2\xA0" "b", P::GPT4) == std::vector<std::string>{"a", "\xC2\xA0" "b"});
    CHECK(chunks("x\r\n", P::GPT4) == std::vector<std::string>{"x", "\r\n"});
    CHECK(chunks("caf\xC3\xA9 \xE2\x80\x9Cyes\xE2\x80\x9D", P::GPT4) ==
          std::vector<std::string>{"caf\xC3\xA9", " \xE2\x80\x9C", "yes", "\xE2\x80\x9D"});
    // GPT-2: case-sensitive contractions, digits unbounded, space joins the next run.
    CHECK(chunks("I'M 2024 ok", P::GPT2) == std::vector<std::string>{"I", "'", "M", " 2024", " ok"});
    CHECK(chunks("whole text", P::None) == std::vector<std::string>{"whole text"});
    CHECK(xl::is_unicode_letter(U'\u00E9'));
    CHECK_FALSE(xl::is_unicode_letter(U'\u201C'));
    CHECK(xl::is_unicode_number(U'\u00BD'));
}

TEST_CASE("pth tokenizer: alilama tokenizer.model loads as a GPT-4-split minbpe vocabulary") {
    auto tok = xl::load_minbpe_tokenizer(kDir + "tokenizer.model");
    CHECK(tok->vocab_size() == 4000);
    CHECK(tok->merge_count() == 3744);
    CHECK(tok->pattern() == xl::SplitPattern::GPT4);
    CHECK(tok->bos() == -1);
    CHECK(tok->kind() == "minbpe regex (GPT-4 split)");
}

TEST_CASE("pth tokenizer: the story prompt encodes to the vocabulary's word tokens") {
    auto tok = xl::load_minbpe_tokenizer(kDir + "tokenizer.model");
    const std::vector<int> ids = tok->encode(" STARTSTORY Once upon a time", false);
    auto vocab = vocab_file_ids(kDir + "tokenizer.vocab");
    std::vector<int> expect;
    for (const char* w : {" STARTSTORY", " Once", " upon", " a", " time"}) {
        REQUIRE(vocab.count(w) == 1);
        expect.push_back(vocab[w]);
    }
    CHECK(ids == expect);
    CHECK(tok->encode(" STARTSTORY Once upon a time", true) == ids);  // no BOS to add
    CHECK(detok(*tok, ids) == " STARTSTORY Once upon a time");
}

TEST_CASE("pth tokenizer: TinyStories text round-trips and compresses") {
    auto tok = xl::load_minbpe_tokenizer(kDir + "tokenizer.model");
    const std::string text = read_all(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt");
    const std::vector<int> ids = tok->encode(text, false);
    CHECK(detok(*tok, ids) == text);
    // A 4000-token BPE trained on this distribution needs well under one token per 3 bytes.
    CHECK(double(text.size()) / double(ids.size()) > 3.0);
    CHECK(std::all_of(ids.begin(), ids.end(), [](int id) { return id >= 0 && id < 4000; }));
    // Invalid UTF-8 survives as byte tokens.
    const std::string odd = "ok \xFF\xFE end\xC3";
    CHECK(detok(*tok, tok->encode(odd, false)) == odd);
}

TEST_CASE("pth tokenizer: malformed files throw xl::Error naming the file") {
    const std::string path = "/tmp/xl_test_pth_bad_tokenizer_" + std::to_string(getpid()) + ".model";
    auto write = [&](const std::string& s) { std::ofstream(path, std::ios::binary) << s; };
    write("minbpe v2\n\n0\n");
    CHECK_THROWS_WITH_AS(xl::load_minbpe_tokenizer(path), doctest::Contains(path.c_str()), xl::Error);
    write("minbpe v1\n\n0\n32 116\n999 1\n");  // merge refers to a token that does not exist yet
    CHECK_THROWS_WITH_AS(xl::load_minbpe_tokenizer(path), doctest::Contains("bad merge on line 5"), xl::Error);
    write("minbpe v1\n[a-z]+\n0\n");
    try {
        xl::load_minbpe_tokenizer(path);
        FAIL("expected an error");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::Unsupported);
        CHECK(e.subject() == path);
    }
    std::remove(path.c_str());
}
