// Developer driver for the desktop app (the product runs it as `extrapolab` without a
// subcommand): xlgui [--preset P] [--frames N] [--screenshot F] [--panel ID] [--size WxH]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "app/desktop_app.hpp"

int main(int argc, char** argv) {
    xl::AppOptions o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--preset") o.preset_path = v;
        else if (k == "--frames") o.max_frames = std::atoi(v.c_str());
        else if (k == "--screenshot") o.screenshot_path = v;
        else if (k == "--panel") o.panel = v;
        else if (k == "--model") o.model_path = v;
        else if (k == "--tokenizer") o.tokenizer_path = v;
        else if (k == "--size") std::sscanf(v.c_str(), "%dx%d", &o.width, &o.height);
        else { std::fprintf(stderr, "xlgui: unknown option %s\n", k.c_str()); return 2; }
    }
    return xl::run_desktop_app(o);
}
