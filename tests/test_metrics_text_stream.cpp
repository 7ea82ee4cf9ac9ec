// Text splitting into documents and the BOS-separated token stream (core/metrics/text_stream).
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/metrics/text_stream.hpp"

namespace {

// One token per byte (id = byte + 3), BOS = 1: enough to see where documents start.
class ByteTokenizer : public xl::Tokenizer {
public:
    std::vector<int> encode(std::string_view text, bool add_bos) const override {
        std::vector<int> ids;
        if (add_bos) ids.push_back(1);
        for (unsigned char c : text) ids.push_back(int(c) + 3);
        return ids;
    }
    std::string decode_token(int, int token) const override { return std::string(1, char(token - 3)); }
    int vocab_size() const override { return 259; }
    int bos() const override { return 1; }
    int eos() const override { return 2; }
    std::string kind() const override { return "bytes"; }
};

std::filesystem::path temp_file(const std::string& name, const std::string& content) {
    auto dir = std::filesystem::temp_directory_path() / "xl_test_metrics_text";
    std::filesystem::create_directories(dir);
    auto p = dir / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
}

}  // namespace

TEST_CASE("metrics text: documents split on endoftext lines and keep inner newlines") {
    auto s = xl::split_documents(" Spot. Spot saw.\nLine two.\n<|endoftext|>\nSecond story.\n\nPara.\n<|endoftext|>\n");
    CHECK(s.separator == xl::DocumentSeparator::EndOfText);
    REQUIRE(s.documents.size() == 2);
    CHECK(s.documents[0] == "Spot. Spot saw.\nLine two.");
    CHECK(s.documents[1] == "Second story.\n\nPara.");  // blank lines stay inside a document
}

TEST_CASE("metrics text: without endoftext lines blank lines separate documents") {
    auto s = xl::split_documents("a b\nc\n\n\n  \nd e\r\n\r\nf");
    CHECK(s.separator == xl::DocumentSeparator::BlankLines);
    REQUIRE(s.documents.size() == 3);
    CHECK(s.documents[0] == "a b\nc");
    CHECK(s.documents[1] == "d e");
    CHECK(s.documents[2] == "f");
    CHECK(xl::split_documents("\n\n  \n").documents.empty());
}

TEST_CASE("metrics text: each document is BOS + tokens") {
    ByteTokenizer tok;
    auto ids = xl::encode_documents({"ab", "c"}, tok);
    CHECK(ids == std::vector<int>{1, 'a' + 3, 'b' + 3, 1, 'c' + 3});
}

TEST_CASE("metrics text: a document format adds a prefix and can flatten newlines") {
    ByteTokenizer tok;
    xl::DocumentFormat f{">", true};
    auto ids = xl::encode_documents({"a\nb"}, tok, f);
    CHECK(ids == std::vector<int>{1, '>' + 3, 'a' + 3, ' ' + 3, 'b' + 3});
    CHECK(f.describe().find("'>'") != std::string::npos);
}

TEST_CASE("metrics text: load_token_stream reads a file and names bad files") {
    ByteTokenizer tok;
    auto p = temp_file("two.txt", "x\n<|endoftext|>\nyz\n<|endoftext|>\n");
    auto s = xl::load_token_stream(p.string(), tok);
    CHECK(s.documents == 2);
    CHECK(s.bos == 1);
    CHECK(s.tokens == std::vector<int>{1, 'x' + 3, 1, 'y' + 3, 'z' + 3});

    const std::string missing = (p.parent_path() / "no_such_text.txt").string();
    try {
        xl::load_token_stream(missing, tok);
        FAIL("expected an error");
    } catch (const xl::Error& e) {
        CHECK(e.kind() == xl::ErrorKind::BadFile);
        CHECK(std::string(e.what()).find(missing) != std::string::npos);
    }
    auto binary = temp_file("binary.txt", std::string("ab\0\xff", 4));
    CHECK_THROWS_AS(xl::load_token_stream(binary.string(), tok), xl::Error);
    auto empty = temp_file("empty.txt", "\n\n");
    CHECK_THROWS_AS(xl::load_token_stream(empty.string(), tok), xl::Error);
}

#ifdef XL_SHARED_DIR
TEST_CASE("metrics text: the TinyStories sample has 201 stories starting with Spot") {
    auto s = xl::split_documents([] {
        std::ifstream in(std::string(XL_SHARED_DIR) + "/data/tinystories/valid-first201.txt", std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }());
    CHECK(s.separator == xl::DocumentSeparator::EndOfText);
    REQUIRE(s.documents.size() == 201);
    CHECK(s.documents[0].rfind("Spot. Spot saw the shiny car", 0) == 0);
}
#endif
