// load_tokenizer_json on a tokenizer.json written from SmolLM2's GGUF vocabulary in the layout of
// SmolLM2's own file, against Hugging Face `tokenizers` ids (tests/golden/tokens_smollm2_hf.json,
// tools/peers/hf_tokenizer_json_tokens.py builds the same JSON); and its errors.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/model/gguf_reader.hpp"
#include "core/model/gguf_vocab.hpp"
#include "core/model/hf_tokenizer_json.hpp"
#include "model_test_files.hpp"

namespace {

using nlohmann::json;

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

uint64_t fnv1a64(const std::vector<int>& ids) {
    uint64_t h = 0xCBF29CE484222325ull;
    for (int t : ids)
        for (int k = 0; k < 4; ++k) h = (h ^ ((uint32_t(t) >> (8 * k)) & 0xFF)) * 0x100000001B3ull;
    return h;
}

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

json tokenizer_json_from(const xl::Vocab& v) {
    json added = json::array(), vocab = json::object();
    for (size_t id = 0; id < v.tokens.size(); ++id) {
        vocab[v.tokens[id]] = id;
        if (v.kinds[id] == xl::TokenKind::Control)
            added.push_back({{"id", id}, {"content", v.tokens[id]}, {"single_word", false}, {"lstrip", false},
                             {"rstrip", false}, {"normalized", false}, {"special", true}});
    }
    json pre = {{"type", "Sequence"},
                {"pretokenizers",
                 {{{"type", "Digits"}, {"individual_digits", true}},
                  {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}}}};
    return {{"version", "1.0"}, {"added_tokens", added}, {"normalizer", nullptr}, {"pre_tokenizer", pre},
            {"post_processor", nullptr},
            {"model", {{"type", "BPE"}, {"byte_fallback", false}, {"ignore_merges", false}, {"vocab", vocab}, {"merges", v.merges}}}};
}

}  // namespace

TEST_CASE("tokenizer json: SmolLM2 layout equals Hugging Face tokenizers ids") {
    const xl::Vocab v = xl::read_gguf_vocab(xl::read_gguf_metadata(xl::MappedFile::open(xl::test::smollm2_gguf())));
    xl::test::TempDir tmp;
    const std::string path = tmp.write("tokenizer.json", bytes(tokenizer_json_from(v).dump()));
    const auto tok = xl::load_tokenizer_json(path);
    CHECK(tok->vocab_size() == 49152);
    CHECK(tok->bos() == -1);
    CHECK(tok->eos() == 2);  // <|im_end|>
    const json g = json::parse(slurp(std::string(XL_SOURCE_DIR) + "/tests/golden/tokens_smollm2_hf.json"));
    for (const auto& c : g["cases"]) {
        INFO("case " << c["name"].get<std::string>());
        CHECK(tok->encode(c["text"].get<std::string>(), true) == c["ids"].get<std::vector<int>>());
    }
    const std::vector<int> ids = tok->encode(slurp(std::string(XL_SOURCE_DIR) + "/assets/tinystories-valid-first201.txt"), true);
    CHECK(ids.size() == g["tinystories"]["count"].get<size_t>());
    char h[17];
    std::snprintf(h, sizeof h, "%016llx", static_cast<unsigned long long>(fnv1a64(ids)));
    CHECK(std::string(h) == g["tinystories"]["fnv1a64"].get<std::string>());
    CHECK(tok->decode(tok->encode("Hi 123 there", false)) == "Hi 123 there");
}

TEST_CASE("tokenizer json: bad files give one clear error each") {
    xl::test::TempDir tmp;
    auto kind_of = [&](const std::string& name, const std::string& body) {
        const std::string p = tmp.write(name, bytes(body));
        try {
            xl::load_tokenizer_json(p);
        } catch (const xl::Error& e) {
            CHECK(std::string(e.what()).find(p) != std::string::npos);
            return e.kind();
        }
        FAIL("no error for " << name);
        return xl::ErrorKind::Device;
    };
    CHECK(kind_of("cut.json", R"({"model": {"type": "BPE", "vocab": {)") == xl::ErrorKind::BadFile);
    CHECK(kind_of("nomodel.json", R"({"version": "1.0"})") == xl::ErrorKind::BadFile);
    CHECK(kind_of("wordpiece.json", R"({"model": {"type": "WordPiece", "vocab": {}}})") == xl::ErrorKind::Unsupported);
    CHECK(kind_of("badid.json", R"({"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}})") == xl::ErrorKind::BadFile);
    CHECK(kind_of("nopre.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}, "pre_tokenizer": null})") ==
          xl::ErrorKind::Unsupported);
    CHECK(kind_of("merges.json", R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [7]},
                                    "pre_tokenizer": {"type": "ByteLevel"}})") == xl::ErrorKind::BadFile);
}
