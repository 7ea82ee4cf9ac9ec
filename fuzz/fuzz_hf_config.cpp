// config.json import into the model config through the architecture table (model_type /
// architectures, shapes, activation, biases, tied embeddings, text_config, layer kinds, RoPE),
// then the layer kinds and the model's own method ("file") planned for the result.
#include "core/model/hf_config.hpp"
#include "core/posenc/method.hpp"
#include "fuzz/fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(xl::fuzz::as_text(data, size));
    xl::fuzz::expect_clean([&] {
        const xl::HfModelConfig h = xl::read_hf_config(text, "config.json");
        const xl::ModelConfig& c = h.config;
        (void)xl::layer_kinds_of(c);
        for (int l = 0; l < c.n_layers && l < 64; ++l) (void)xl::layer_kind_index(c, l);
        // Planning allocates per head dimension and layer: only shapes a real checkpoint has (a
        // larger one cannot pass the weight mapping without a file of that size).
        if (c.head_dim <= 1024 && c.n_layers <= 256 && c.n_heads <= 256)
            for (const char* m : {"file", "none"}) (void)xl::make_plan(xl::parse_method_spec(m), c, 64);
    });
    return 0;
}
