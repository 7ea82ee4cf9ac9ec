// safetensors reader and the sharded index: the committed tiny checkpoints (tests/data/hf, made
// by tools/peers/make_hf_checkpoints.py) read as written, and every lie a header can tell about
// sizes is one BadFile naming the file and the tensor, before anything is allocated from it.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/model/hf_checkpoint.hpp"
#include "core/model/safetensors_reader.hpp"
#include "model_test_files.hpp"

namespace {

using xl::ErrorKind;

std::string hf_data(const std::string& rel) { return std::string(XL_SOURCE_DIR) + "/tests/data/hf/" + rel; }

// A safetensors file from a header object and a buffer of `buffer_bytes` zero bytes.
std::vector<uint8_t> make_file(const nlohmann::json& header, size_t buffer_bytes) {
    const std::string h = header.dump();
    std::vector<uint8_t> out(8 + h.size() + buffer_bytes, 0);
    const uint64_t n = h.size();
    std::memcpy(out.data(), &n, 8);
    std::memcpy(out.data() + 8, h.data(), h.size());
    return out;
}

xl::Error read_error(const std::string& path) {
    try {
        xl::read_safetensors(xl::MappedFile::open(path));
    } catch (const xl::Error& e) {
        return e;
    }
    FAIL("no error for " << path);
    return xl::Error(ErrorKind::BadArgument, "", "");
}

bool has(const xl::Error& e, const std::string& part) { return std::string(e.what()).find(part) != std::string::npos; }

nlohmann::json one(const char* dtype, std::vector<uint64_t> shape, uint64_t begin, uint64_t end) {
    nlohmann::json j = nlohmann::json::object();
    j["dtype"] = dtype;
    j["shape"] = shape;
    j["data_offsets"] = nlohmann::json::array({begin, end});
    return j;
}

}  // namespace

TEST_CASE("safetensors: the committed llama checkpoint reads as written") {
    const auto st = xl::read_safetensors(xl::MappedFile::open(hf_data("llama/model.safetensors")));
    const xl::SafetensorsTensor* e = st.find("model.embed_tokens.weight");
    REQUIRE(e);
    CHECK(e->dtype == "BF16");
    REQUIRE(e->type.has_value());
    CHECK(*e->type == xl::TensorType::BF16);
    CHECK(e->shape == std::vector<int64_t>{288, 64});
    CHECK(e->nbytes() == 288 * 64 * 2);
    CHECK(st.metadata.at("format") == "pt");
    CHECK(st.tensors.size() == 1 + 2 * 9 + 1);  // embedding, 9 per layer, final norm (tied: no lm_head)
    CHECK(st.find("lm_head.weight") == nullptr);
}

TEST_CASE("safetensors: a header that lies about sizes is one clear error") {
    xl::test::TempDir tmp;
    struct Case {
        const char* name;
        nlohmann::json header;
        size_t buffer;
        const char* says;
    };
    const uint64_t big = uint64_t(1) << 40;
    auto w = [](nlohmann::json entry) {
        nlohmann::json h = nlohmann::json::object();
        h["w"] = std::move(entry);
        return h;
    };
    nlohmann::json no_offsets = nlohmann::json::object();
    no_offsets["dtype"] = "F32";
    no_offsets["shape"] = nlohmann::json::array({1});
    nlohmann::json negative = no_offsets;
    negative["shape"] = nlohmann::json::array({-1});
    negative["data_offsets"] = nlohmann::json::array({0, 4});
    nlohmann::json overlap = nlohmann::json::object();
    overlap["a"] = one("F32", {4}, 0, 16);
    overlap["b"] = one("F32", {4}, 8, 24);
    const Case cases[] = {
        {"past_end", w(one("F32", {4, 4}, 0, 64)), 32, "ends at byte 64"},
        {"shape_vs_offsets", w(one("F32", {4, 4}, 0, 32)), 64, "needs 64 bytes"},
        {"begin_after_end", w(one("F32", {0}, 16, 8)), 64, "begin > end"},
        {"overflow", w(one("F32", {big, big, big}, 0, 8)), 8, "overflows"},
        {"overlap", overlap, 24, "overlap"},
        {"unknown_dtype", w(one("F12", {2}, 0, 4)), 4, "unknown dtype 'F12'"},
        {"no_offsets", w(no_offsets), 4, "no 'data_offsets'"},
        {"negative_dim", w(negative), 4, "non-negative"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const std::string p = tmp.write(std::string(c.name) + ".safetensors", make_file(c.header, c.buffer));
        const xl::Error e = read_error(p);
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(has(e, p));
        CHECK_MESSAGE(has(e, c.says), e.what());
        if (std::string(c.name) != "overlap" && std::string(c.name) != "no_offsets") CHECK(has(e, "'w'"));
    }
}

TEST_CASE("safetensors: truncated files and implausible header lengths") {
    xl::test::TempDir tmp;
    const auto full = xl::test::read_bytes(hf_data("llama/model.safetensors"));
    REQUIRE(full.size() > 1000);
    for (size_t cut : {size_t(0), size_t(5), size_t(8), size_t(100), full.size() / 2, full.size() - 1}) {
        CAPTURE(cut);
        const std::string p = tmp.write("cut.safetensors", std::vector<uint8_t>(full.begin(), full.begin() + std::ptrdiff_t(cut)));
        const xl::Error e = read_error(p);
        CHECK(e.kind() == ErrorKind::BadFile);
        CHECK(has(e, p));
        CHECK_MESSAGE((has(e, "truncated") || has(e, "not a safetensors")), e.what());
    }
    std::vector<uint8_t> huge = full;
    const uint64_t n = uint64_t(1) << 62;
    std::memcpy(huge.data(), &n, 8);
    const std::string p = tmp.write("huge.safetensors", huge);
    CHECK(has(read_error(p), "exceeds the format's limit"));
}

TEST_CASE("safetensors: every format dtype is known - only F32/F16/BF16 are readable") {
    xl::test::TempDir tmp;
    nlohmann::json h = nlohmann::json::object();
    h["i"] = one("I8", {4}, 0, 4);
    h["b"] = one("BF16", {2}, 4, 8);
    h["__metadata__"]["k"] = "v";
    const auto st = xl::read_safetensors(xl::MappedFile::open(tmp.write("mixed.safetensors", make_file(h, 8))));
    REQUIRE(st.find("i"));
    CHECK(!st.find("i")->type.has_value());
    CHECK(st.find("b")->type == xl::TensorType::BF16);
    CHECK(st.metadata.at("k") == "v");
}

TEST_CASE("hf checkpoint: shards through the index, missing shard, index lies") {
    const auto ck = xl::open_hf_checkpoint(hf_data("qwen2"));
    CHECK(ck.shards.size() == 2);
    CHECK(!ck.index_path.empty());
    const xl::HfTensor* e = ck.find("model.embed_tokens.weight");
    REQUIRE(e);
    CHECK(e->tensor->dtype == "F16");

    xl::test::TempDir tmp;
    const std::string dir = tmp.path("qwen2");
    std::filesystem::copy(hf_data("qwen2"), dir);
    const std::string shard2 = dir + "/model-00002-of-00002.safetensors";
    std::filesystem::remove(shard2);
    try {
        xl::open_hf_checkpoint(dir);
        FAIL("no error for a missing shard");
    } catch (const xl::Error& err) {
        CHECK(err.kind() == ErrorKind::BadFile);
        CHECK(has(err, shard2));
        CHECK(has(err, "missing shard"));
        CHECK(has(err, "model.safetensors.index.json"));
    }
    // An index that places a tensor in a shard that lacks it.
    std::filesystem::copy(hf_data("qwen2/model-00002-of-00002.safetensors"), shard2);
    nlohmann::json index = nlohmann::json::parse(std::ifstream(dir + "/model.safetensors.index.json"));
    index["weight_map"]["model.ghost.weight"] = "model-00001-of-00002.safetensors";
    std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
    try {
        xl::open_hf_checkpoint(dir);
        FAIL("no error for a ghost tensor");
    } catch (const xl::Error& err) {
        CHECK(has(err, "model.ghost.weight"));
        CHECK(has(err, "model-00001-of-00002.safetensors"));
    }
    index["weight_map"].erase("model.ghost.weight");
    index["weight_map"]["model.norm.weight"] = "../escape.safetensors";
    std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
    CHECK_THROWS_WITH_AS(xl::open_hf_checkpoint(dir), doctest::Contains("not a file in the checkpoint folder"), xl::Error);
}

TEST_CASE("hf checkpoint: a folder without config.json or weights") {
    xl::test::TempDir tmp;
    std::filesystem::create_directories(tmp.path("empty"));
    CHECK(!xl::is_hf_checkpoint_dir(tmp.path("empty")));
    CHECK_THROWS_WITH_AS(xl::open_hf_checkpoint(tmp.path("empty")), doctest::Contains("no config.json"), xl::Error);
    std::ofstream(tmp.path("empty/config.json")) << "{}";
    CHECK(xl::is_hf_checkpoint_dir(tmp.path("empty")));
    CHECK_THROWS_WITH_AS(xl::open_hf_checkpoint(tmp.path("empty")), doctest::Contains("no model.safetensors"), xl::Error);
}
