// Folder → Model: the three parts of a Hugging Face checkpoint put together.
#include "core/model/hf_model.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "core/model/hf_checkpoint.hpp"
#include "core/model/hf_config.hpp"
#include "core/model/hf_tokenizer_json.hpp"
#include "core/model/hf_weights.hpp"

namespace xl {
namespace {

void record_files(const HfCheckpoint& ck, ModelConfig& c) {
    c.metadata["hf.folder"] = ck.dir;
    c.metadata["hf.shards"] = std::to_string(ck.shards.size());
    if (!ck.index_path.empty()) c.metadata["hf.index"] = std::filesystem::path(ck.index_path).filename().string();
    for (const auto& s : ck.shards)
        for (const auto& [k, v] : s->metadata) c.metadata["safetensors." + k] = v;
}

void attach_folder_tokenizer(const std::string& dir, Model& m) {
    const std::filesystem::path tj = std::filesystem::path(dir) / "tokenizer.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(tj, ec)) {
        m.config.warnings.push_back("no tokenizer.json in the folder: pass a tokenizer");
        return;
    }
    try {
        m.tokenizer = load_tokenizer_json(tj.string());
        m.config.metadata["tokenizer.file"] = tj.string();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Unsupported) throw;  // a broken file is an error; another kind a warning
        m.config.warnings.push_back(e.what());
    }
}

}  // namespace

Model load_hf_model(const std::string& dir) {
    const HfCheckpoint ck = open_hf_checkpoint(dir);
    const HfModelConfig h = read_hf_config(ck.config_text, ck.config_path);
    Model m;
    m.path = dir;
    m.config = h.config;
    const std::string folder = std::filesystem::path(dir).filename().string();
    m.config.name = folder.empty() ? std::filesystem::path(dir).parent_path().filename().string() : folder;
    record_files(ck, m.config);
    auto storage = std::make_shared<HfStorage>();
    map_hf_weights(ck, h, m, *storage);
    m.storage = storage;
    attach_folder_tokenizer(dir, m);
    return m;
}

}  // namespace xl
