// Writes a whole file or nothing (DESIGN.md #14), even when the process is killed mid-write.
// On Linux the bytes go to an unnamed file in the target's folder (O_TMPFILE), which gets a name
// only once complete and fsync'ed, then is renamed over the target; a kill before that leaves
// nothing. Where the filesystem has no O_TMPFILE (NFS, ...) the bytes go to "<path>.<pid>.tmp"
// first (unique per process and call, so concurrent writers never share one), then a rename.
//
//   write_file_atomic("fig.svg", svg_text);   // throws Error(BadFile, "fig.svg", ...) on failure
#pragma once
#include <string>
#include <string_view>

namespace xl {

void write_file_atomic(const std::string& path, std::string_view bytes);
std::string read_text_file(const std::string& path);  // throws Error(BadFile, path, ...)

}  // namespace xl
