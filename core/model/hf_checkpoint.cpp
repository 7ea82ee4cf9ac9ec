// Folder → config text + safetensors shards (transformers' layout: WEIGHTS_NAME
// "model.safetensors", else the index "model.safetensors.index.json" with its weight_map).
#include "core/model/hf_checkpoint.hpp"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"

namespace xl {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::string read_text(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorKind::BadFile, path, "cannot open");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void add_shard(HfCheckpoint& ck, const std::string& path) {
    auto st = std::make_unique<SafetensorsFile>(read_safetensors(MappedFile::open(path)));
    for (const SafetensorsTensor& t : st->tensors) {
        auto [it, fresh] = ck.tensors.emplace(t.name, HfTensor{&t, st.get()});
        if (!fresh)
            throw Error(ErrorKind::BadFile, path, "tensor '" + t.name + "' is also in " + it->second.file->path);
    }
    ck.shards.push_back(std::move(st));
}

// weight_map → the shard files (in first-use order), each opened once.
void open_index(HfCheckpoint& ck) {
    const std::string& ip = ck.index_path;
    const json index = parse_json_limited(read_text(ip), ip, ErrorKind::BadFile);
    if (!index.is_object()) throw Error(ErrorKind::BadFile, ip, "not a JSON object");
    if (!index.contains("weight_map") || !index["weight_map"].is_object() || index["weight_map"].empty())
        throw Error(ErrorKind::BadFile, ip, "no 'weight_map' object naming the shards");
    std::vector<std::string> order;
    std::set<std::string> seen;
    for (const auto& [name, shard] : index["weight_map"].items()) {
        if (!shard.is_string())
            throw Error(ErrorKind::BadFile, ip, "weight_map entry '" + name + "' is not a file name");
        const std::string s = shard.get<std::string>();
        if (s.empty() || s.find('/') != std::string::npos || s.find('\\') != std::string::npos || s == "." || s == "..")
            throw Error(ErrorKind::BadFile, ip, "weight_map entry '" + name + "' names '" + s +
                                                    "', not a file in the checkpoint folder");
        if (seen.insert(s).second) order.push_back(s);
    }
    for (const std::string& s : order) {
        const fs::path p = fs::path(ck.dir) / s;
        if (!is_file(p))
            throw Error(ErrorKind::BadFile, p.string(), "missing shard (listed in " + ip + ")");
        add_shard(ck, p.string());
    }
    for (const auto& [name, shard] : index["weight_map"].items()) {
        const std::string want = (fs::path(ck.dir) / shard.get<std::string>()).string();
        auto it = ck.tensors.find(name);
        if (it == ck.tensors.end() || it->second.file->path != want)
            throw Error(ErrorKind::BadFile, want, "has no tensor '" + name + "' (the index " + ip + " places it there)");
    }
}

}  // namespace

const HfTensor* HfCheckpoint::find(const std::string& name) const {
    auto it = tensors.find(name);
    return it == tensors.end() ? nullptr : &it->second;
}

std::string HfCheckpoint::where(const HfTensor& t) const {
    return fs::path(t.file->path).filename().string();
}

bool is_hf_checkpoint_dir(const std::string& path) {
    std::error_code ec;
    return fs::is_directory(path, ec) && is_file(fs::path(path) / "config.json");
}

HfCheckpoint open_hf_checkpoint(const std::string& dir) {
    HfCheckpoint ck;
    ck.dir = dir;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(ErrorKind::BadFile, dir, "not a folder");
    ck.config_path = (fs::path(dir) / "config.json").string();
    if (!is_file(ck.config_path))
        throw Error(ErrorKind::BadFile, dir, "no config.json: not a Hugging Face checkpoint folder");
    ck.config_text = read_text(ck.config_path);
    const fs::path single = fs::path(dir) / "model.safetensors";
    const fs::path index = fs::path(dir) / "model.safetensors.index.json";
    if (is_file(single)) {
        add_shard(ck, single.string());
    } else if (is_file(index)) {
        ck.index_path = index.string();
        open_index(ck);
    } else {
        const bool torch_bin = is_file(fs::path(dir) / "pytorch_model.bin") ||
                               is_file(fs::path(dir) / "pytorch_model.bin.index.json");
        throw Error(ErrorKind::Unsupported, dir,
                    std::string("no model.safetensors or model.safetensors.index.json") +
                        (torch_bin ? " (pytorch_model.bin checkpoints are not read: convert them to safetensors)" : ""));
    }
    return ck;
}

}  // namespace xl
