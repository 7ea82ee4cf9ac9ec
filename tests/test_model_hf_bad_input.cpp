// Bad Hugging Face checkpoints: one xl::Error each, of the right kind, naming the file and the
// problem — a header that lies about sizes, a truncated shard, an unsupported dtype, a missing
// shard, a config.json without the keys its architecture needs, an unknown architecture — and
// the CLI turns each into exit code 2 with one message line.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/model/load_model.hpp"
#include "model_test_files.hpp"
#include "test_cli_run.hpp"

namespace {

using json = nlohmann::json;
using xl::ErrorKind;

std::string hf_data(const std::string& rel) { return std::string(XL_SOURCE_DIR) + "/tests/data/hf/" + rel; }

std::string copy_folder(const xl::test::TempDir& tmp, const std::string& arch, const std::string& name) {
    const std::string dir = tmp.path(name);
    std::filesystem::copy(hf_data(arch), dir, std::filesystem::copy_options::recursive);
    return dir;
}

void edit_config(const std::string& dir, const std::function<void(json&)>& edit) {
    json c = json::parse(std::ifstream(dir + "/config.json"));
    edit(c);
    std::ofstream(dir + "/config.json") << c.dump(2);
}

// Rewrites the JSON header of a safetensors file in place, keeping its data buffer.
void edit_header(const std::string& file, const std::function<void(json&)>& edit) {
    std::vector<uint8_t> b = xl::test::read_bytes(file);
    uint64_t n = 0;
    std::memcpy(&n, b.data(), 8);
    json h = json::parse(std::string(b.begin() + 8, b.begin() + 8 + std::ptrdiff_t(n)));
    edit(h);
    const std::string text = h.dump();
    const uint64_t m = text.size();
    std::vector<uint8_t> out(8);
    std::memcpy(out.data(), &m, 8);
    out.insert(out.end(), text.begin(), text.end());
    out.insert(out.end(), b.begin() + 8 + std::ptrdiff_t(n), b.end());
    std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(out.data()), std::streamsize(out.size()));
}

xl::Error load_error(const std::string& dir) {
    try {
        xl::load_model(dir);
    } catch (const xl::Error& e) {
        return e;
    }
    FAIL("no error for " << dir);
    return xl::Error(ErrorKind::BadArgument, "", "");
}

bool has(const xl::Error& e, const std::string& part) { return std::string(e.what()).find(part) != std::string::npos; }

void check_cli(const std::string& dir, const std::string& names) {
#ifdef XL_TESTS_WITHOUT_CLI
    return;  // the sanitizer build has no CLI; the normal suite checks its message and exit code
#endif
    const CliRun r = run_cli("info '" + dir + "'");
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_MESSAGE(r.err.find(names) != std::string::npos, r.err);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') <= 2);
}

}  // namespace

TEST_CASE("hf bad input: a header that lies about a tensor's size") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "llama", "lying");
    const std::string st = dir + "/model.safetensors";
    edit_header(st, [](json& h) { h["model.norm.weight"]["shape"] = json::array({128}); });
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, st));
    CHECK(has(e, "model.norm.weight"));
    CHECK(has(e, "needs 256 bytes"));
    check_cli(dir, "model.norm.weight");
}

TEST_CASE("hf bad input: a truncated shard") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "qwen3", "cut");
    const std::string st = dir + "/model.safetensors";
    std::filesystem::resize_file(st, std::filesystem::file_size(st) - 100);
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, st));
    CHECK(has(e, "truncated"));
    check_cli(dir, "truncated");
}

TEST_CASE("hf bad input: an unsupported dtype names the tensor, the dtype and the supported ones") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "llama", "i16");
    const std::string st = dir + "/model.safetensors";
    edit_header(st, [](json& h) { h["model.norm.weight"]["dtype"] = "I16"; });  // same size as BF16
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(has(e, st));
    CHECK(has(e, "'model.norm.weight' has dtype I16"));
    CHECK(has(e, "F32, F16, BF16"));
    check_cli(dir, "dtype I16");
}

TEST_CASE("hf bad input: a missing shard") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "qwen2", "noshard");
    std::filesystem::remove(dir + "/model-00001-of-00002.safetensors");
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, "model-00001-of-00002.safetensors"));
    CHECK(has(e, "missing shard"));
    check_cli(dir, "missing shard");
}

TEST_CASE("hf bad input: a config.json without the keys its architecture needs") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "gemma3", "nokeys");
    edit_config(dir, [](json& c) {
        c.erase("hidden_size");
        c.erase("num_hidden_layers");
    });
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::BadFile);
    CHECK(has(e, dir + "/config.json"));
    CHECK(has(e, "'hidden_size', 'num_hidden_layers'"));
    CHECK(has(e, "gemma3"));
    check_cli(dir, "hidden_size");
}

TEST_CASE("hf bad input: an unknown architecture is named with the supported list") {
    xl::test::TempDir tmp;
    const std::string dir = copy_folder(tmp, "llama", "mamba");
    edit_config(dir, [](json& c) {
        c["model_type"] = "mamba";
        c["architectures"] = json::array({"MambaForCausalLM"});
    });
    const xl::Error e = load_error(dir);
    CHECK(e.kind() == ErrorKind::Unsupported);
    CHECK(has(e, "model_type 'mamba'"));
    CHECK(has(e, "MambaForCausalLM"));
    for (const char* a : {"llama", "qwen2", "qwen3", "gemma3", "phi3"}) CHECK(has(e, a));
    check_cli(dir, "model_type 'mamba'");
}

TEST_CASE("hf bad input: options the block cannot run are refused by name") {
    xl::test::TempDir tmp;
    struct Case {
        const char* name;
        std::function<void(json&)> edit;
        const char* says;
    };
    const Case cases[] = {
        {"act", [](json& c) { c["hidden_act"] = "gelu"; }, "hidden_act 'gelu'"},
        {"mlpbias", [](json& c) { c["mlp_bias"] = true; }, "mlp_bias"},
        {"types", [](json& c) { c["layer_types"] = json::array({"full_attention"}); }, "layer_types"},
        {"chunked", [](json& c) { c["layer_types"] = {"chunked_attention", "full_attention"}; }, "chunked_attention"},
        {"heads", [](json& c) { c["num_key_value_heads"] = 3; }, "num_key_value_heads 3"},
        {"vocab", [](json& c) { c["vocab_size"] = 300; }, "vocab_size 300"},
        {"bias", [](json& c) { c["attention_bias"] = true; }, "self_attn.q_proj.bias"},
    };
    for (const Case& k : cases) {
        CAPTURE(k.name);
        const std::string dir = copy_folder(tmp, "llama", k.name);
        edit_config(dir, k.edit);
        const xl::Error e = load_error(dir);
        CHECK_MESSAGE(has(e, k.says), e.what());
        CHECK(has(e, dir));
    }
}

TEST_CASE("hf bad input: a folder that is not a checkpoint") {
    xl::test::TempDir tmp;
    std::filesystem::create_directories(tmp.path("plain"));
    const xl::Error e = load_error(tmp.path("plain"));
    CHECK(has(e, "no config.json"));
    check_cli(tmp.path("plain"), "no config.json");
}
