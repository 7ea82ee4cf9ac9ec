#include "app/cli/cli_common.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "core/io/atomic_file.hpp"
#include "core/error.hpp"
#include "core/model/load_model.hpp"
#include "core/ref/cpu_forward.hpp"
#include "core/forward/vulkan_forward.hpp"

namespace fs = std::filesystem;

namespace xl::cli {

namespace {

bool has_assets(const fs::path& dir) {
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(dir / "stories260K.bin", ec);
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

Assets find_assets() {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("XL_ASSETS")) candidates.emplace_back(env);
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        candidates.push_back(exe.parent_path() / "assets");
        candidates.push_back(exe.parent_path().parent_path() / "assets");
        candidates.push_back(exe.parent_path().parent_path() / "share" / "extrapolab" / "assets");
    }
#ifdef XL_ASSETS_DIR
    candidates.emplace_back(XL_ASSETS_DIR);
#endif
    for (const auto& c : candidates)
        if (has_assets(c)) return {c.lexically_normal().string()};
    return {};
}

std::vector<int> parse_int_list(const std::string& text, const std::string& what) {
    std::vector<int> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        std::string item = trim(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        long long v = 0;
        auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || v <= 0 || v > (1LL << 40))
            throw Error(ErrorKind::BadArgument, what + " " + text, "expected a comma-separated list of positive integers");
        // Values that do not fit an int are kept as the largest int: still "too long" downstream.
        out.push_back(v > 0x7fffffff ? 0x7fffffff : int(v));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

std::vector<double> parse_fraction_list(const std::string& text, const std::string& what) {
    std::vector<double> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string item = trim(text.substr(start, comma - start));
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !(v >= 0 && v <= 1))
            throw Error(ErrorKind::BadArgument, what + " " + text, "expected comma-separated fractions in [0, 1]");
        out.push_back(v);
        start = comma + 1;
    }
    return out;
}

std::vector<MethodSpec> parse_method_list(const std::vector<std::string>& values) {
    std::vector<MethodSpec> specs;
    for (const auto& v : values) {
        size_t start = 0;
        while (start <= v.size()) {
            size_t semi = v.find(';', start);
            std::string item = trim(v.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
            if (!item.empty()) specs.push_back(parse_method_spec(item));
            if (semi == std::string::npos) break;
            start = semi + 1;
        }
    }
    if (specs.empty()) specs.push_back(parse_method_spec("none"));
    return specs;
}

LoadedModel load_cli_model(const std::string& model_path, const std::string& tokenizer_path, int train_ctx) {
    LoadedModel m;
    m.path = model_path;
    m.tokenizer_path = tokenizer_path;
    if (m.path.empty()) {
        Assets a = find_assets();
        if (a.dir.empty())
            throw Error(ErrorKind::BadFile, "assets",
                        "bundled model not found (set XL_ASSETS to the assets directory or pass --model)");
        m.path = a.model();
        if (m.tokenizer_path.empty()) m.tokenizer_path = a.tokenizer();
    }
    m.model = load_model(m.path, m.tokenizer_path);
    if (train_ctx > 0) m.model.config.train_context_length = train_ctx;
    if (!m.model.tokenizer)
        throw Error(ErrorKind::BadFile, m.path, "the model has no vocabulary: pass --tokenizer");
    return m;
}

std::unique_ptr<Forward> make_backend(const Model& model, bool cpu, int device) {
    if (cpu) return std::make_unique<CpuForward>(model);
    return std::make_unique<VulkanForward>(model, device);
}

void emit_output(const std::string& text, const std::string& path) {
    if (path.empty() || path == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
        return;
    }
    write_file_atomic(path, text);  // whole file or nothing
}

std::string json_text(const nlohmann::json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void info(const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
}

std::string format_number(double v, const char* fmt, const char* missing) {
    if (!std::isfinite(v)) return missing;
    char b[32];
    std::snprintf(b, sizeof b, fmt, v);
    return b;
}

nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace xl::cli
