// Runs the real `extrapolab` binary (XL_CLI_PATH) for CLI tests: stdout, stderr and exit code.
//   CliRun r = run_cli("rope --head-dim 64 --format json");
//   CHECK(r.code == 0);
#pragma once
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

struct CliRun {
    int code = -1;
    std::string out, err;
};

inline std::string cli_shared(const std::string& rel) { return std::string(XL_SHARED_DIR) + "/" + rel; }

inline std::filesystem::path cli_temp_dir() {
    auto d = std::filesystem::temp_directory_path() / ("xl_test_cli_" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
}

// Removes this process's temporary directory at exit (one instance shared by all test files).
inline struct CliTempCleanup {
    ~CliTempCleanup() {
        std::error_code ec;
        std::filesystem::remove_all(
            std::filesystem::temp_directory_path() / ("xl_test_cli_" + std::to_string(getpid())), ec);
    }
} cli_temp_cleanup;

inline CliRun run_cli(const std::string& args) {
    static int counter = 0;
    const auto err_path = cli_temp_dir() / ("stderr" + std::to_string(counter++) + ".txt");
    const std::string cmd = std::string("'") + XL_CLI_PATH + "' " + args + " 2>'" + err_path.string() + "'";
    CliRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream e(err_path);
    r.err.assign(std::istreambuf_iterator<char>(e), {});
    std::filesystem::remove(err_path);
    return r;
}
