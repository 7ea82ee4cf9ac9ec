#include "fuzz/fuzz_folder.hpp"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "fuzz/fuzz_common.hpp"

namespace xl::fuzz {

std::string hf_folder(const std::string& source, const std::vector<std::string>& copied, const std::string& input_name) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("xlfuzz-" + std::to_string(getpid()) + "-" + fs::path(source).filename().string());
    fs::create_directories(dir);
    // The checkout the harness was built from, or XL_FUZZ_SOURCE_DIR when it runs on another machine.
    const char* root = std::getenv("XL_FUZZ_SOURCE_DIR");
    const fs::path src = fs::path(root && *root ? root : XL_FUZZ_SOURCE_DIR) / source;
    for (const std::string& f : copied) fs::copy_file(src / f, dir / f, fs::copy_options::overwrite_existing);
    const uint8_t none = 0;
    const std::string input = as_file(&none, 0);  // creates slot 0's file; later inputs rewrite it
    fs::remove(dir / input_name);
    fs::create_symlink(input, dir / input_name);
    static struct Cleanup {  // the folder goes when the process ends normally
        std::vector<fs::path> dirs;
        ~Cleanup() { for (const auto& d : dirs) { std::error_code ec; fs::remove_all(d, ec); } }
    } cleanup;
    cleanup.dirs.push_back(dir);
    return dir.string();
}

}  // namespace xl::fuzz
