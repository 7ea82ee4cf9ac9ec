// Zip reading per the PKWARE APPNOTE (end of central directory, ZIP64 locator/record, central
// directory headers, local headers). Only what torch.save writes is needed; everything read is
// bounds-checked against the mapped file.
#include "core/model/zip_archive.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace xl {

// ---- little-endian field reads with bounds checks ----------------------------------------

namespace {

constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kEnd64Sig = 0x06064b50, kLocator64Sig = 0x07064b50;

class Reader {
public:
    Reader(std::span<const uint8_t> bytes, const std::string& path) : b_(bytes), path_(path) {}
    void need(uint64_t off, uint64_t n, const char* what) const {
        if (off > b_.size() || n > b_.size() - off)
            throw Error(ErrorKind::BadFile, path_,
                        std::string("truncated zip archive (") + what + " at offset " + std::to_string(off) + ")");
    }
    uint64_t le(uint64_t off, int n, const char* what) const {
        need(off, uint64_t(n), what);
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i) v = (v << 8) | b_[size_t(off) + size_t(i)];
        return v;
    }
    uint64_t size() const { return b_.size(); }

private:
    std::span<const uint8_t> b_;
    const std::string& path_;
};

struct EndRecord {
    uint64_t count = 0, cd_size = 0, cd_offset = 0;
};

EndRecord find_end_record(const Reader& r, const std::string& path) {
    if (r.size() < 22) throw Error(ErrorKind::BadFile, path, "not a zip archive (too short for an end record)");
    uint64_t lowest = r.size() >= 22 + 65535 ? r.size() - 22 - 65535 : 0;
    for (uint64_t pos = r.size() - 22 + 1; pos-- > lowest;) {
        if (r.le(pos, 4, "end record") != kEndSig) continue;
        EndRecord e;
        e.count = r.le(pos + 10, 2, "end record");
        e.cd_size = r.le(pos + 12, 4, "end record");
        e.cd_offset = r.le(pos + 16, 4, "end record");
        bool zip64 = e.count == 0xFFFF || e.cd_size == 0xFFFFFFFF || e.cd_offset == 0xFFFFFFFF;
        if (zip64 && pos >= 20 && r.le(pos - 20, 4, "zip64 locator") == kLocator64Sig) {
            uint64_t rec = r.le(pos - 20 + 8, 8, "zip64 locator");
            r.need(rec, 56, "zip64 end record");  // before rec + 48 can wrap
            if (r.le(rec, 4, "zip64 end record") != kEnd64Sig)
                throw Error(ErrorKind::BadFile, path, "zip64 end record signature missing");
            e.count = r.le(rec + 32, 8, "zip64 end record");
            e.cd_size = r.le(rec + 40, 8, "zip64 end record");
            e.cd_offset = r.le(rec + 48, 8, "zip64 end record");
        }
        return e;
    }
    throw Error(ErrorKind::BadFile, path, "not a zip archive (no end of central directory record)");
}

// Applies the ZIP64 extended-information extra field (id 0x0001) to values saturated at 0xFFFFFFFF.
void apply_zip64_extra(const Reader& r, uint64_t extra, uint64_t extra_len, uint64_t& usize,
                       uint64_t& csize, uint64_t& local) {
    uint64_t p = extra, end = extra + extra_len;
    while (p + 4 <= end) {
        uint64_t id = r.le(p, 2, "extra field"), len = r.le(p + 2, 2, "extra field");
        uint64_t q = p + 4;
        if (id == 0x0001) {
            auto next = [&](uint64_t& v) {
                if (v != 0xFFFFFFFF || q + 8 > p + 4 + len) return;
                v = r.le(q, 8, "zip64 extra field");
                q += 8;
            };
            next(usize);
            next(csize);
            next(local);
            return;
        }
        p = q + len;
    }
}

}  // namespace

// ---- ZipArchive ---------------------------------------------------------------------------

ZipArchive::ZipArchive(const std::string& path) : file_(MappedFile::open(path)) {
    read_central_directory();
}

void ZipArchive::read_central_directory() {
    const std::string& path = file_->path();
    Reader r(file_->bytes(), path);
    EndRecord end = find_end_record(r, path);
    r.need(end.cd_offset, end.cd_size, "central directory");
    uint64_t p = end.cd_offset;
    entries_.reserve(size_t(std::min<uint64_t>(end.count, r.size() / 46)));
    for (uint64_t i = 0; i < end.count; ++i) {
        if (r.le(p, 4, "central directory header") != kCentralSig)
            throw Error(ErrorKind::BadFile, path, "corrupt central directory (entry " + std::to_string(i) + ")");
        ZipEntry e;
        uint64_t flags = r.le(p + 8, 2, "central directory header");
        e.method = uint16_t(r.le(p + 10, 2, "central directory header"));
        uint64_t csize = r.le(p + 20, 4, "central directory header");
        uint64_t usize = r.le(p + 24, 4, "central directory header");
        uint64_t name_len = r.le(p + 28, 2, "central directory header");
        uint64_t extra_len = r.le(p + 30, 2, "central directory header");
        uint64_t comment_len = r.le(p + 32, 2, "central directory header");
        uint64_t local = r.le(p + 42, 4, "central directory header");
        r.need(p + 46, name_len + extra_len + comment_len, "central directory name");
        e.name.assign(reinterpret_cast<const char*>(file_->bytes().data() + p + 46), size_t(name_len));
        apply_zip64_extra(r, p + 46 + name_len, extra_len, usize, csize, local);
        if (flags & 1) throw Error(ErrorKind::Unsupported, path, "encrypted zip entry '" + e.name + "'");
        e.size = usize;
        e.compressed_size = csize;
        if (r.le(local, 4, "local header") != kLocalSig)
            throw Error(ErrorKind::BadFile, path, "bad local header for entry '" + e.name + "'");
        e.data_offset = local + 30 + r.le(local + 26, 2, "local header") + r.le(local + 28, 2, "local header");
        if (e.data_offset > r.size() || csize > r.size() - e.data_offset)
            throw Error(ErrorKind::BadFile, path, "truncated zip archive (data of entry '" + e.name + "')");
        entries_.push_back(std::move(e));
        p += 46 + name_len + extra_len + comment_len;
    }
    // entries_ no longer grows: views of its names stay valid.
    by_name_.reserve(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) by_name_.emplace(entries_[i].name, i);
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &entries_[it->second];
}

const ZipEntry* ZipArchive::find_suffix(std::string_view suffix) const {
    for (const ZipEntry& e : entries_)
        if (e.name.size() >= suffix.size() && e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0)
            return &e;
    return nullptr;
}

std::span<const uint8_t> ZipArchive::data(const ZipEntry& entry) const {
    if (entry.method != 0)
        throw Error(ErrorKind::Unsupported, path(),
                    "zip entry '" + entry.name + "' is compressed (method " + std::to_string(entry.method) +
                        "); only stored entries, as torch.save writes them, are supported");
    if (entry.size != entry.compressed_size)
        throw Error(ErrorKind::BadFile, path(), "stored zip entry '" + entry.name + "' has inconsistent sizes");
    return file_->bytes().subspan(size_t(entry.data_offset), size_t(entry.size));
}

}  // namespace xl
