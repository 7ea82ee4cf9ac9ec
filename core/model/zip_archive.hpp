// Read-only access to zip archives as PyTorch writes them (torch.save since 1.6): entries
// "stored" (uncompressed, data 64-byte aligned), optionally ZIP64 for files over 4 GiB.
// The file is memory-mapped once; entry data are views into the mapping (no copies).
//
//   xl::ZipArchive zip("model.pth");                  // throws xl::Error(BadFile) naming the file
//   const xl::ZipEntry* e = zip.find_suffix("/data.pkl");
//   std::span<const uint8_t> bytes = zip.data(*e);    // stored entries only (deflate: Unsupported)
//   std::shared_ptr<const void> keep = zip.mapping(); // keep the views alive past `zip`
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/mapped_file.hpp"

namespace xl {

struct ZipEntry {
    std::string name;              // full name inside the archive ("archive/data/0")
    uint16_t method = 0;           // 0 = stored, 8 = deflate
    uint64_t compressed_size = 0;  // bytes in the file
    uint64_t size = 0;             // uncompressed bytes
    uint64_t data_offset = 0;      // file offset of the entry's data (after its local header)
};

class ZipArchive {
public:
    // Maps `path` and reads the central directory; every entry's data range is bounds-checked.
    explicit ZipArchive(const std::string& path);
    ZipArchive(const ZipArchive&) = delete;  // by_name_ holds views into this object's entries
    ZipArchive& operator=(const ZipArchive&) = delete;

    const std::string& path() const { return file_->path(); }
    const std::vector<ZipEntry>& entries() const { return entries_; }
    const ZipEntry* find(std::string_view name) const;          // exact name, or nullptr (hashed)
    const ZipEntry* find_suffix(std::string_view suffix) const;  // first name ending in suffix
    // Data of a stored entry (a view into the mapping). Compressed -> xl::Error(Unsupported).
    std::span<const uint8_t> data(const ZipEntry& entry) const;
    std::shared_ptr<const void> mapping() const { return file_; }

private:
    void read_central_directory();
    std::shared_ptr<const MappedFile> file_;
    std::vector<ZipEntry> entries_;
    std::unordered_map<std::string_view, size_t> by_name_;  // first entry of each name (views into entries_)
};

}  // namespace xl
