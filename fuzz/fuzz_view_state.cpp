// Saved view state, and the round trip of what it accepts.
#include "core/io/preset_io.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        const xl::ViewState v = xl::view_state_from_json(std::string(xl::fuzz::as_text(data, size)), "view.json");
        (void)xl::view_state_from_json(xl::view_state_to_json(v), "round-trip.json");
    });
    return 0;
}
