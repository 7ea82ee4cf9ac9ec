// Presets and saved session state (the same reader), and the round trip of what it accepts.
#include "core/io/preset_io.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const xl::Session s = xl::session_from_json(std::string(xl::fuzz::as_text(data, size)), "preset.json");
        (void)xl::session_from_json(xl::session_to_json(s), "round-trip.json");  // what we write, we read
    });
    return 0;
}
