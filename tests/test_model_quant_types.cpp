// The weight-type table and the scalar dequantisers against the gguf package's reference
// (gguf.quants.dequantize), bit for bit: random blocks of every type (tests/golden/quant_blocks.*,
// tools/peers/quant_golden.py) and rows of every type present in the two real models
// (tests/golden/quant_real_rows.*, bytes read from the fetched model files).
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "core/model/gguf_reader.hpp"
#include "core/model/tensor_types.hpp"
#include "tests/model_test_files.hpp"

namespace {

std::string golden(const std::string& name) { return std::string(XL_SOURCE_DIR) + "/tests/golden/" + name; }

nlohmann::json read_json(const std::string& path) {
    std::ifstream f(path);
    REQUIRE_MESSAGE(f.good(), path);
    return nlohmann::json::parse(f);
}

uint32_t bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

// Number of values whose bit patterns differ (first mismatch reported).
size_t bit_mismatches(const float* got, const uint8_t* want_bytes, size_t n, const std::string& what) {
    size_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
        float want;
        std::memcpy(&want, want_bytes + 4 * i, 4);
        if (bits(got[i]) != bits(want) && bad++ == 0)
            MESSAGE(what << " element " << i << ": got " << got[i] << ", gguf.quants gives " << want);
    }
    return bad;
}

}  // namespace

TEST_CASE("quant types: the table is consistent with row_bytes, ggml ids and the reference's block sizes") {
    const auto meta = read_json(golden("quant_blocks.json"));
    for (const xl::TensorTypeInfo& t : xl::tensor_types()) {
        CAPTURE(t.name);
        CHECK(&xl::type_info(t.type) == &t);
        CHECK(xl::type_info_by_ggml(t.ggml_id) == &t);
        CHECK(std::string(xl::to_string(t.type)) == t.name);
        CHECK(xl::row_bytes(t.type, 4 * t.block_elems) == size_t(4 * t.block_bytes));
        if (t.gpu_layout == xl::GpuWeightLayout::Blocks) {
            CHECK(t.gpu_block_bytes % 4 == 0);
            CHECK(t.gpu_block_bytes >= t.block_bytes);
            CHECK(t.gpu_block_bytes - t.block_bytes < 4);
            CHECK(t.gpu_pad_at <= t.block_bytes);
        }
        for (const auto& e : meta["types"])
            if (e["type"] == t.name) {
                CHECK(e["ggml_type"].get<uint32_t>() == t.ggml_id);
                CHECK(e["block_elems"].get<int>() == t.block_elems);
                CHECK(e["block_bytes"].get<int>() == t.block_bytes);
            }
    }
    CHECK(xl::type_info_by_ggml(9) == nullptr);  // Q8_1: not a weight type
    CHECK(xl::supported_type_names().find("IQ4_XS") != std::string::npos);
}

TEST_CASE("quant types: dequantisation equals gguf.quants bit for bit on random blocks") {
    const auto meta = read_json(golden("quant_blocks.json"));
    INFO("golden from gguf " << meta["gguf_version"].get<std::string>());
    const std::vector<uint8_t> blob = xl::test::read_bytes(golden(meta["file"].get<std::string>()));
    size_t covered = 0;
    for (const auto& e : meta["types"]) {
        const std::string name = e["type"];
        CAPTURE(name);
        const xl::TensorTypeInfo* t = xl::type_info_by_ggml(e["ggml_type"].get<uint32_t>());
        REQUIRE(t);
        const int64_t blocks = e["blocks"], elems = blocks * t->block_elems;
        const size_t bytes_at = e["bytes_offset"], values_at = e["values_offset"];
        REQUIRE(values_at + size_t(elems) * 4 <= blob.size());
        xl::Tensor tensor;
        tensor.type = t->type;
        tensor.rows = 1;
        tensor.cols = elems;
        tensor.data = blob.data() + bytes_at;
        const std::vector<float> got = xl::dequantize(tensor);
        CHECK(bit_mismatches(got.data(), blob.data() + values_at, got.size(), name) == 0);
        ++covered;
    }
    CHECK(covered == xl::tensor_types().size() - 1);  // every type but F32 (stored as is)
}

TEST_CASE("quant types: rows of the real models equal gguf.quants bit for bit") {
    const auto meta = read_json(golden("quant_real_rows.json"));
    const std::vector<uint8_t> blob = xl::test::read_bytes(golden(meta["file"].get<std::string>()));
    std::map<std::string, xl::GgufFile> files;
    std::set<std::string> types;
    for (const auto& e : meta["rows"]) {
        const std::string model = e["model"], name = e["tensor"];
        CAPTURE(model); CAPTURE(name);
        if (!files.count(model))
            files.emplace(model, xl::read_gguf(xl::MappedFile::open(xl::test::real_model(model))));
        const xl::GgufTensorInfo* info = files.at(model).find_tensor(name);
        REQUIRE(info);
        CHECK(std::string(xl::to_string(info->type)) == e["type"].get<std::string>());
        REQUIRE(info->cols() == e["cols"].get<int64_t>());
        const xl::Tensor tensor{name, info->type, info->rows(), info->cols(), info->data};
        std::vector<float> row(size_t(tensor.cols));
        xl::dequantize_row(tensor, e["row"].get<int64_t>(), row.data());
        CHECK(bit_mismatches(row.data(), blob.data() + e["values_offset"].get<size_t>(), row.size(), name) == 0);
        types.insert(e["type"].get<std::string>());
    }
    // SmolLM2: Q4_1, Q8_0; Gemma 3 Q4_K_M: Q4_K, Q6_K, Q5_0, Q8_0.
    CHECK(types == std::set<std::string>{"Q4_1", "Q4_K", "Q5_0", "Q6_K", "Q8_0"});
}
