// Regression tests for hostile Hugging Face files (tokenizer.json, config.json, safetensors
// headers, model.safetensors.index.json): each case is a reproducer cut down, from the fuzzing
// harnesses fuzz_tokenizer_json / fuzz_hf_config / fuzz_safetensors / fuzz_hf_index or from a
// reading of the readers, and each expects one typed xl::Error naming the file and the problem.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "error_of.hpp"
#include "core/model/hf_config.hpp"
#include "core/model/hf_model.hpp"
#include "core/model/hf_tokenizer_json.hpp"
#include "core/model/safetensors_reader.hpp"
#include "model_test_files.hpp"

namespace {

using xl::ErrorKind;

using xl::test::error_of;
using xl::test::has;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

std::string nested(int depth) { return std::string(size_t(depth), '[') + std::string(size_t(depth), ']'); }

// A tokenizer.json with a three-token BPE vocabulary and the given extra members.
std::string tokenizer_json(const std::string& extra) {
    return R"({"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}, )" + extra + "}";
}

const char* kByteLevel = R"("pre_tokenizer": {"type": "ByteLevel", "use_regex": true})";

xl::Error tokenizer_error(const xl::test::TempDir& tmp, const std::string& text) {
    const std::string p = tmp.write("tokenizer.json", bytes(text));
    xl::Error e = error_of([&] { xl::load_tokenizer_json(p); });
    CHECK(e.subject() == p);
    return e;
}

// A config.json of the tiny llama checkpoint with `key` set to the raw JSON `value`.
std::string llama_config(const std::string& key, const std::string& value) {
    return R"({"model_type": "llama", "vocab_size": 288, "hidden_size": 64, "intermediate_size": 96,
               "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 256, ")" +
           key + "\": " + value + "}";
}

}  // namespace

TEST_CASE("hf hostile input: tokenizer.json with missing nested members is an error, not an assertion") {
    xl::test::TempDir tmp;
    // nlohmann's const operator[] asserts on a missing key (undefined behaviour without asserts):
    // a Sequence without "pretokenizers", a Split without "pattern", a template without ids.
    const xl::Error seq = tokenizer_error(tmp, tokenizer_json(R"("pre_tokenizer": {"type": "Sequence"})"));
    CHECK(seq.kind() == ErrorKind::Unsupported);
    CHECK(has(seq, "pre-tokenizer Sequence[] is not supported"));
    const xl::Error split = tokenizer_error(
        tmp, tokenizer_json(R"("pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split"}, {"type": "ByteLevel", "use_regex": false}]})"));
    CHECK(split.kind() == ErrorKind::Unsupported);
    const std::string p = tmp.write("t.json", bytes(tokenizer_json(std::string(kByteLevel) +
        R"(, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}]})")));
    const auto tok = xl::load_tokenizer_json(p);  // no special_tokens: no BOS, and no fault
    CHECK(tok->bos() == -1);
    CHECK(tok->vocab_size() == 3);
}

TEST_CASE("hf hostile input: tokenizer.json token ids out of range or not integers") {
    xl::test::TempDir tmp;
    // 1e300 as an id: converting it to an integer was undefined behaviour.
    const xl::Error fl = tokenizer_error(tmp, tokenizer_json(std::string(kByteLevel) +
                                                             R"(, "added_tokens": [{"id": 1e300, "content": "<x>"}])"));
    CHECK(fl.kind() == ErrorKind::BadFile);
    CHECK(has(fl, "token id 1e+300 of '<x>' is out of range"));
    // A 16M id in a file of four tokens asked for 16M strings (512 MB); ids are capped by the
    // file's own token count.
    const xl::Error big = tokenizer_error(tmp, tokenizer_json(std::string(kByteLevel) +
                                                              R"(, "added_tokens": [{"id": 16000000, "content": "<x>"}])"));
    CHECK(big.kind() == ErrorKind::BadFile);
    CHECK(has(big, "token id 16000000 of '<x>' is out of range (0 to 1032"));
    const xl::Error neg = tokenizer_error(tmp, tokenizer_json(std::string(kByteLevel) + R"(, "added_tokens": [{"content": "<x>"}])"));
    CHECK(has(neg, "token id null of '<x>' is out of range"));
}

TEST_CASE("hf hostile input: a tokenizer.json BOS outside the vocabulary is refused") {
    xl::test::TempDir tmp;
    // The encoder emitted the BOS id as given: 7 in a 3-token vocabulary.
    const xl::Error e = tokenizer_error(tmp, tokenizer_json(std::string(kByteLevel) + R"(, "post_processor": {
        "type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>"}}],
        "special_tokens": {"<s>": {"ids": [7]}}})"));
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "post_processor: BOS '<s>' has id 7, not a token of the 3-token vocabulary"));
}

TEST_CASE("hf hostile input: deeply nested JSON in each Hugging Face file is refused") {
    xl::test::TempDir tmp;
    const std::string deep = nested(100000);  // nlohmann's dump and destructor recurse per level
    const xl::Error tj = tokenizer_error(tmp, tokenizer_json("\"x\": " + deep));
    CHECK(tj.kind() == ErrorKind::BadFile);
    CHECK(has(tj, "nested deeper than 64 levels"));

    const xl::Error cfg = error_of([&] { xl::read_hf_config(llama_config("x", deep), "config.json"); });
    CHECK(cfg.subject() == "config.json");
    CHECK(has(cfg, "nested deeper than 64 levels"));

    const std::string header = R"({"__metadata__": {"x": )" + deep + "}}";
    std::vector<uint8_t> st(8);
    const uint64_t n = header.size();
    std::memcpy(st.data(), &n, 8);
    st.insert(st.end(), header.begin(), header.end());
    const std::string sp = tmp.write("deep.safetensors", st);
    const xl::Error s = error_of([&] { xl::read_safetensors(xl::MappedFile::open(sp)); });
    CHECK(s.subject() == sp);
    CHECK(has(s, "the header is not a JSON object (JSON nested deeper than 64 levels)"));

    const std::string dir = tmp.path("sharded");
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(std::string(XL_SOURCE_DIR) + "/tests/data/hf/qwen2/config.json", dir + "/config.json");
    const std::string ip = dir + "/model.safetensors.index.json";
    std::ofstream(ip) << R"({"weight_map": {"a": "b"}, "metadata": )" << deep << "}";
    const xl::Error idx = error_of([&] { xl::load_hf_model(dir); });
    CHECK(idx.subject() == ip);
    CHECK(has(idx, "nested deeper than 64 levels"));
}

TEST_CASE("hf hostile input: config.json layer and head counts are capped before allocating per layer") {
    // 2^30 layers passed the size check and made the weight mapping resize to 2^30 layers.
    const std::string big = R"({"model_type": "llama", "vocab_size": 288, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 1073741824, "num_attention_heads": 4, "max_position_embeddings": 256})";
    const xl::Error e = error_of([&] { xl::read_hf_config(big, "config.json"); });
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(e.subject() == "config.json");
    CHECK(has(e, "'num_hidden_layers' = 1073741824 is not a plausible size (1 to 4096)"));
}

TEST_CASE("hf hostile input: config.json sliding-window numbers outside int are errors, not UB") {
    // int(1e300) was undefined behaviour (Gemma 3's pattern, Qwen2's max_window_layers).
    const std::string gemma = R"({"model_type": "gemma3_text", "vocab_size": 288, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 256, "head_dim": 16,
        "sliding_window": 8, "sliding_window_pattern": 1e300})";
    const xl::Error g = error_of([&] { xl::read_hf_config(gemma, "config.json"); });
    CHECK(g.kind() == ErrorKind::BadFile);
    CHECK(has(g, "'sliding_window_pattern' must be a whole number from 1 to 2147483647"));
    const std::string qwen = R"({"model_type": "qwen2", "vocab_size": 288, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 256,
        "use_sliding_window": true, "sliding_window": 8, "max_window_layers": -1e300})";
    const xl::Error q = error_of([&] { xl::read_hf_config(qwen, "config.json"); });
    CHECK(has(q, "'max_window_layers' must be a whole number from 0 to 2147483647"));
}

TEST_CASE("hf hostile input: config.json scales and bases that would give NaN or infinity are refused") {
    // 1/sqrt(0 or negative) and a RoPE base <= 0 made NaN / infinite attention and frequencies.
    const std::string gemma = R"({"model_type": "gemma3_text", "vocab_size": 288, "hidden_size": 64, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 256, "head_dim": 16, "sliding_window": 8)";
    const xl::Error s = error_of([&] { xl::read_hf_config(gemma + R"(, "query_pre_attn_scalar": 0})", "config.json"); });
    CHECK(s.kind() == ErrorKind::BadFile);
    CHECK(has(s, "'query_pre_attn_scalar' must be > 0, got 0"));
    const xl::Error b = error_of([&] { xl::read_hf_config(gemma + R"(, "rope_local_base_freq": -5})", "config.json"); });
    CHECK(has(b, "'rope_local_base_freq' must be a positive RoPE base, got -5"));
    // The tiny checkpoint's own config still reads.
    CHECK_NOTHROW(xl::read_hf_config(gemma + R"(, "query_pre_attn_scalar": 16, "rope_local_base_freq": 10000})", "config.json"));
}
