// model.safetensors.index.json of a sharded checkpoint: the input is the index of a folder
// holding the real two shards and config.json of tests/data/hf/qwen2; the checkpoint is opened
// and the model mapped from whatever the index names.
#include "core/model/hf_model.hpp"
#include "fuzz/fuzz_common.hpp"
#include "fuzz/fuzz_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string dir = xl::fuzz::hf_folder(
        "tests/data/hf/qwen2", {"config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"},
        "model.safetensors.index.json");
    (void)xl::fuzz::as_file(data, size);
    xl::fuzz::expect_clean([&] { (void)xl::load_hf_model(dir); });
    return 0;
}
