// A read-only memory-mapped file. Readers keep a shared_ptr to it in Model::storage so that
// Tensor::data pointers into the mapping stay valid as long as the Model lives.
//
//   auto file = xl::MappedFile::open("stories260K.gguf");   // throws xl::Error BadFile "cannot open"
//   const uint8_t* p = file->data(); size_t n = file->size();   // or file->bytes() as a span
// The one mapped-file class of core/model: the GGUF, llama2.c and zip readers all use it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace xl {

class MappedFile {
public:
    static std::shared_ptr<const MappedFile> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    std::span<const uint8_t> bytes() const { return {data_, size_}; }
    const std::string& path() const { return path_; }

private:
    MappedFile() = default;
    std::string path_;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    void* map_ = nullptr;  // null for an empty file
};

}  // namespace xl
