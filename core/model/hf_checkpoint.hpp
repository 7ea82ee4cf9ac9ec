// A Hugging Face checkpoint folder: config.json and the weights, either one model.safetensors or
// shards listed by model.safetensors.index.json ({"weight_map": {"tensor name": "shard file"}}).
// Like transformers, a single model.safetensors wins over an index when both are present.
//
//   xl::HfCheckpoint ck = xl::open_hf_checkpoint("SmolLM2-135M/");
//   const xl::HfTensor* t = ck.find("model.embed_tokens.weight");   // t->tensor, t->file->path
//   ck.config_text;  // config.json as read
//
// Errors (xl::Error naming the file): no config.json, no weights, an index that is not JSON or
// has no weight_map, a shard name that leaves the folder, a missing shard (named with the index),
// a tensor the index places in a shard that lacks it, a tensor in two shards; safetensors errors
// from read_safetensors.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/model/safetensors_reader.hpp"

namespace xl {

struct HfTensor {
    const SafetensorsTensor* tensor = nullptr;
    const SafetensorsFile* file = nullptr;
};

struct HfCheckpoint {
    std::string dir;
    std::string config_path;               // <dir>/config.json
    std::string config_text;
    std::string index_path;                // empty for a single model.safetensors
    std::vector<std::unique_ptr<SafetensorsFile>> shards;
    std::map<std::string, HfTensor> tensors;

    const HfTensor* find(const std::string& name) const;
    // "model.safetensors" or "model-00001-of-00002.safetensors" (for messages).
    std::string where(const HfTensor& t) const;
};

// True when `path` is a folder holding a config.json.
bool is_hf_checkpoint_dir(const std::string& path);
HfCheckpoint open_hf_checkpoint(const std::string& dir);

}  // namespace xl
