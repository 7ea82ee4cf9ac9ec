#include "core/model/fetched_models.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace xl {

namespace fs = std::filesystem;

std::string models_dir() {
    if (const char* env = std::getenv("XL_MODELS_DIR"); env && *env) return env;
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path beside = exe.parent_path().parent_path() / ".models";
        if (fs::is_directory(beside, ec)) return beside.string();
    }
    return ".models";
}

std::vector<FetchedModel> fetched_models(const std::string& dir) {
    std::vector<FetchedModel> out;
    std::ifstream in(fs::path(dir) / "MANIFEST.tsv");
    for (std::string line; std::getline(in, line);) {
        std::istringstream cols(line);
        FetchedModel m;
        std::string bytes;
        if (!std::getline(cols, m.name, '\t') || !std::getline(cols, m.sha256, '\t') || !std::getline(cols, bytes))
            continue;
        if (m.name.empty() || m.name.find('/') != std::string::npos || bytes.empty() ||
            bytes.find_first_not_of("0123456789") != std::string::npos || bytes.size() > 18)
            continue;
        m.bytes = std::stoll(bytes);
        m.path = (fs::path(dir) / m.name).string();
        std::error_code ec;
        if (fs::is_regular_file(m.path, ec) && int64_t(fs::file_size(m.path, ec)) == m.bytes && !ec) out.push_back(m);
    }
    return out;
}

}  // namespace xl
