#include "core/metrics/passkey_shard.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "core/io/csv_writer.hpp"

namespace xl {

using nlohmann::json;

json passkey_sweep_json(const PasskeySweep& s) {
    return {{"model", {{"path", s.model_path}, {"name", s.model_name}, {"tokenizer", s.tokenizer}}},
            {"text", {{"path", "passkey prompt (PI / Landmark Attention)"}}},
            {"protocol", {{"name", "passkey"}, {"description", "greedy answer, first digits == key"}}},
            {"method", s.method}, {"lengths", s.lengths}, {"depths", s.depths},
            {"trials", s.options.trials}, {"max_new_tokens", s.options.max_new_tokens}, {"seed", s.options.seed}};
}

json passkey_cell_json(const PasskeyCell& cell, const std::string& device) {
    json trials = json::array();
    for (const PasskeyTrial& t : cell.trials)
        trials.push_back({{"passkey", t.passkey}, {"prompt_tokens", t.prompt_tokens},
                          {"key_token_position", t.key_token_position}, {"answer", t.answer}, {"correct", t.correct}});
    return {{"target_tokens", cell.target_tokens}, {"depth", cell.depth}, {"correct", cell.correct()},
            {"accuracy", json_number(cell.accuracy())}, {"device", device}, {"trials", std::move(trials)}};
}

ShardCsv passkey_shard_csv() {
    return {"extrapolab,cell,shard,model,method,target_tokens,depth,trials,correct,accuracy,device", [](const json& r) {
                const json& x = r["result"];
                char nums[96];
                std::snprintf(nums, sizeof nums, "%d,%.4g,%zu,%d,%.4f", x.value("target_tokens", 0),
                              x.value("depth", 0.0), x["trials"].size(), x.value("correct", 0),
                              number_from_json(x["accuracy"]));
                return csv_field(r.value("extrapolab", "")) + ',' + std::to_string(r["cell"].get<int>()) + ',' +
                       csv_field(r.value("shard", "")) + ',' + csv_field(r["sweep"]["model"].value("path", "")) + ',' +
                       csv_field(r["sweep"].value("method", "")) + ',' + nums + ',' + csv_field(x.value("device", ""));
            }};
}

PasskeyGrid passkey_grid_from_shards(const ShardSet& set) {
    if (set.kind != "passkey")
        throw Error(ErrorKind::Mismatch, set.files.front(), "holds a '" + set.kind + "' sweep, not 'passkey'");
    PasskeyGrid g;
    g.lengths = set.sweep.at("lengths").get<std::vector<int>>();
    g.depths = set.sweep.at("depths").get<std::vector<double>>();
    for (const json& x : set.results) {
        PasskeyCell c;
        c.target_tokens = x.value("target_tokens", 0);
        c.depth = x.value("depth", 0.0);
        for (const json& t : x.at("trials"))
            c.trials.push_back({t.value("passkey", 0), t.value("prompt_tokens", 0), t.value("key_token_position", 0),
                                t.value("answer", ""), t.value("correct", false)});
        g.cells.push_back(std::move(c));
    }
    return g;
}

}  // namespace xl
