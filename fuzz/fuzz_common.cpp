#include "fuzz/fuzz_common.hpp"

#include <cstdio>
#include <cstdlib>
#include <sys/mman.h>
#include <unistd.h>

namespace xl::fuzz {

std::string as_file(const uint8_t* data, size_t size, int slot) {
    static int fds[4] = {-1, -1, -1, -1};  // one memfd per slot for the process's lifetime
    int& fd = fds[slot & 3];
    if (fd < 0) fd = memfd_create("xlfuzz", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, 0) != 0) std::abort();
    for (size_t done = 0; done < size;) {
        const ssize_t n = pwrite(fd, data + done, size - done, off_t(done));
        if (n <= 0) std::abort();
        done += size_t(n);
    }
    return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace xl::fuzz
