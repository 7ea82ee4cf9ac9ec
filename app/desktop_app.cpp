#include "app/desktop_app.hpp"

#include <cstdio>

namespace xl {

int run_desktop_app(const AppOptions&) {
    std::fprintf(stderr, "extrapolab: the desktop app is not built yet; see `extrapolab --help`\n");
    return 2;
}

}  // namespace xl
