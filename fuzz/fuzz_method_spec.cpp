// Method specs (CLI --method, presets): parse, canonical text, and a plan on a RoPE and an
// ALiBi model at a short length (the builders convert user numbers to sizes).
#include "core/posenc/method.hpp"
#include "fuzz/fuzz_common.hpp"
#include "fuzz/fuzz_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 512) return 0;  // specs are short; longer inputs only slow the search
    const std::string text(xl::fuzz::as_text(data, size));
    xl::fuzz::expect_clean([&] {
        const xl::MethodSpec spec = xl::parse_method_spec(text);
        (void)xl::parse_method_spec(spec.canonical());
        for (const xl::ModelConfig* m : {&xl::fuzz::rope_model(), &xl::fuzz::alibi_model()})
            xl::fuzz::expect_clean([&] { (void)xl::make_plan(spec, *m, 48); });
    });
    return 0;
}
