// The passkey grid as shards (core/metrics/sweep_shard.hpp): cells length-major (c = i·depths + j),
// what identifies the grid, one cell as JSON, the flat shard CSV and the grid rebuilt from a
// merged shard folder (equal to the unsharded run's grid).
//
//   store.add(c, passkey_cell_json(run_passkey_cell(...), device));
//   PasskeyGrid g = passkey_grid_from_shards(load_shard_dir(dir));
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "core/metrics/passkey.hpp"
#include "core/metrics/sweep_shard.hpp"

namespace xl {

struct PasskeySweep {
    std::string model_path, model_name, tokenizer;   // what the prompts were answered by
    std::string method;                               // canonical method spec
    std::vector<int> lengths;
    std::vector<double> depths;
    PasskeyOptions options;
};

nlohmann::json passkey_sweep_json(const PasskeySweep& s);
nlohmann::json passkey_cell_json(const PasskeyCell& cell, const std::string& device);
ShardCsv passkey_shard_csv();
// Error(Mismatch) when the folder holds another kind of sweep.
PasskeyGrid passkey_grid_from_shards(const ShardSet& set);

}  // namespace xl
