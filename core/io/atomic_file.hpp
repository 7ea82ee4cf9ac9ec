// Writes a whole file or nothing (DESIGN.md #14): data goes to "<path>.tmp<pid>.<n>", is synced,
// then renamed over the path (a kill at any moment leaves the old file or the new one).
//
//   write_file_atomic("fig.svg", svg_text);   // throws Error(BadFile, "fig.svg", ...) on failure
#pragma once
#include <string>
#include <string_view>

namespace xl {

void write_file_atomic(const std::string& path, std::string_view bytes);
std::string read_text_file(const std::string& path);  // throws Error(BadFile, path, ...)

}  // namespace xl
