// Shared by the libFuzzer harnesses (fuzz/fuzz_*.cpp). A harness feeds one input to one reader
// through the same entry point the app uses (a file path), expects either success or an
// xl::Error, and lets anything else escape: a crash, a sanitizer report, a foreign exception
// (std::out_of_range, nlohmann's, bad_alloc past -malloc_limit_mb), a leak or a timeout is a
// finding, and libFuzzer writes its reproducer.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//       xl::fuzz::expect_clean([&] { xl::load_llama2c_model(xl::fuzz::as_file(data, size)); });
//       return 0;
//   }
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace xl::fuzz {

// The input as a readable file path (an in-memory file, rewritten for each input); `slot`
// selects one of a few files when a harness needs two at once (model and tokenizer).
std::string as_file(const uint8_t* data, size_t size, int slot = 0);

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Runs f; an xl::Error (the readers' contract for bad input) is the expected failure.
template <class F>
void expect_clean(F&& f) {
    try {
        f();
    } catch (const xl::Error&) {
    }
}

}  // namespace xl::fuzz
