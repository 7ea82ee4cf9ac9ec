// A checkpoint folder for harnesses that read Hugging Face folders (config.json, shards, index):
// made once per process under /tmp, with fixed files copied from a folder of the repository
// (tests/data/hf/<arch>, fuzz/data/...) and one name that is a link to the fuzz input's
// in-memory file.
//
//   static const std::string dir = xl::fuzz::hf_folder("fuzz/data/micro_llama", {"config.json"}, "model.safetensors");
//   (void)xl::fuzz::as_file(data, size);   // slot 0: what dir/model.safetensors now reads
#pragma once
#include <string>
#include <vector>

namespace xl::fuzz {

// <repo>/<source>/<f> for each f in `copied`, plus `input_name` -> the slot-0 input file.
std::string hf_folder(const std::string& source, const std::vector<std::string>& copied, const std::string& input_name);

}  // namespace xl::fuzz
