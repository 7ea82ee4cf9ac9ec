// The pickle machine alone: opcodes, memo, marks, cycles and shared objects, then repr().
#include "core/model/pickle_reader.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    xl::fuzz::expect_clean([&] {
        xl::PyRef root = xl::read_pickle({data, size}, "fuzz.pkl", "archive/data.pkl");
        if (root->repr().size() > 256) __builtin_trap();
        (void)root->get("state_dict");
    });
    return 0;
}
