// Hugging Face config.json RoPE import under each transformers generation, then the spec it
// makes is parsed and planned for a small RoPE model.
#include "core/posenc/hf_rope_config.hpp"
#include "core/posenc/method.hpp"
#include "fuzz/fuzz_common.hpp"
#include "fuzz/fuzz_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(xl::fuzz::as_text(data, size));
    for (xl::HfGeneration gen : {xl::HfGeneration::A, xl::HfGeneration::B, xl::HfGeneration::C})
        xl::fuzz::expect_clean([&] {
            const xl::HfRopeImport r = xl::import_hf_rope_config_text(text, gen, "config.json");
            (void)xl::make_plan(xl::parse_method_spec(r.spec), xl::fuzz::rope_model(), 64);
        });
    return 0;
}
