// Nothing half-written: a process killed (SIGKILL) at random moments while it writes leaves
// each target either as it was or as the complete new file — for write_file_atomic itself and
// for a real figure export of the CLI.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "core/io/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

fs::path fresh_dir(const std::string& name) {
    const fs::path d = fs::temp_directory_path() / ("xl_atomic_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

}  // namespace

TEST_CASE("atomic file: SIGKILL during writes leaves the old or the new file, never a part") {
    const fs::path dir = fresh_dir("kill");
    const std::string path = (dir / "big.bin").string();
    const std::string old_text(1000, 'o');
    const std::string a(4 << 20, 'a'), b(4 << 20, 'b');  // 4 MiB: each write takes a while
    for (int round = 0; round < 12; ++round) {
        xl::write_file_atomic(path, old_text);
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            for (int k = 0;; ++k) xl::write_file_atomic(path, k % 2 ? b : a);
        }
        ::usleep(useconds_t(1000 + 2500 * round));  // 1 ms to 28 ms into the writes
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        CHECK(WIFSIGNALED(status));
        const std::string got = slurp(path);
        CAPTURE(round);
        CAPTURE(got.size());
        CHECK((got == old_text || got == a || got == b));
    }
    fs::remove_all(dir);
}

TEST_CASE("atomic file: a CLI figure export killed midway leaves only whole figures") {
    const fs::path dir = fresh_dir("export");
    const std::string preset = std::string(XL_SOURCE_DIR) + "/presets/rope_basics.json";
    auto export_cmd = [&](const fs::path& out) {
        return std::string("'") + XL_CLI_PATH + "' figure --preset '" + preset + "' --out '" + out.string() + "' >/dev/null 2>&1";
    };
    const fs::path ref = dir / "ref";
    REQUIRE(std::system(export_cmd(ref).c_str()) == 0);
    std::map<std::string, std::string> want;
    for (const auto& e : fs::directory_iterator(ref)) want[e.path().filename().string()] = slurp(e.path());
    REQUIRE(want.size() >= 3);
    for (int round = 0; round < 6; ++round) {
        const fs::path out = dir / ("run" + std::to_string(round));
        fs::create_directories(out);
        for (const auto& [name, bytes] : want) xl::write_file_atomic((out / name).string(), "OLD");
        const pid_t child = ::fork();
        REQUIRE(child >= 0);
        if (child == 0) {
            ::execl("/bin/sh", "sh", "-c", ("exec " + export_cmd(out)).c_str(), (char*)nullptr);
            ::_exit(127);
        }
        ::usleep(useconds_t(50000 + 100000 * round));  // 50 ms to 550 ms into the export
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, 0);
        for (const auto& e : fs::directory_iterator(out)) {
            const std::string name = e.path().filename().string();
            CAPTURE(name);
            if (name.find(".tmp") != std::string::npos) continue;  // a killed writer's temporary file
            REQUIRE(want.count(name));
            const std::string got = slurp(e.path());
            CHECK((got == "OLD" || got == want[name]));
        }
    }
    fs::remove_all(dir);
}
