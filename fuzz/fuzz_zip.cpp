// Zip archives: end record, ZIP64 locator/record and extra fields, central and local headers.
#include "core/model/zip_archive.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        xl::ZipArchive zip(xl::fuzz::as_file(data, size));
        for (const xl::ZipEntry& e : zip.entries()) {
            if (zip.find(e.name) == nullptr) __builtin_trap();
            try {
                std::span<const uint8_t> bytes = zip.data(e);
                volatile uint8_t sink = bytes.empty() ? 0 : bytes[bytes.size() - 1];  // in bounds (ASan checks)
                (void)sink;
            } catch (const xl::Error&) {
            }
        }
        (void)zip.find_suffix("/data.pkl");
    });
    return 0;
}
