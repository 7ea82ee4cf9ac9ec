#include "core/io/atomic_file.hpp"

#include <cerrno>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "core/error.hpp"

namespace xl {

namespace {

bool write_all(int fd, std::string_view bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += size_t(n);
    }
    return ::fsync(fd) == 0;
}

std::string folder_of(const std::string& path) {
    const std::string parent = std::filesystem::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

// Unique per process and call: two writers of one path (shards, threads) never share one.
std::string temp_name(const std::string& path) {
    static std::atomic<unsigned> counter{0};
    return path + "." + std::to_string(::getpid()) + "." + std::to_string(counter++) + ".tmp";
}

// Unnamed file in the target's folder, linked under a temporary name once complete. Returns false
// when the filesystem cannot do it (the caller falls back to a named temporary file).
bool write_unnamed_then_link(const std::string& path, std::string_view bytes, std::string& linked) {
#ifdef O_TMPFILE
    const int fd = ::open(folder_of(path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    bool ok = write_all(fd, bytes);
    if (ok) {
        const std::string proc = "/proc/self/fd/" + std::to_string(fd);
        linked = temp_name(path);
        std::remove(linked.c_str());
        ok = ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, linked.c_str(), AT_SYMLINK_FOLLOW) == 0;
    }
    ::close(fd);
    return ok;
#else
    (void)path, (void)bytes, (void)linked;
    return false;
#endif
}

bool write_named_temp(const std::string& tmp, std::string_view bytes) {
    const int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    const bool ok = write_all(fd, bytes);
    ::close(fd);
    return ok;
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view bytes) {
    std::string tmp;
    if (!write_unnamed_then_link(path, bytes, tmp)) {
        tmp = temp_name(path);
        if (!write_named_temp(tmp, bytes)) {
            const int err = errno;
            std::remove(tmp.c_str());
            throw Error(ErrorKind::BadFile, path, std::string("cannot write the whole file: ") + std::strerror(err));
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::remove(tmp.c_str());
        throw Error(ErrorKind::BadFile, path, std::string("cannot put the file in place: ") + std::strerror(err));
    }
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::BadFile, path, "cannot open for reading");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace xl
