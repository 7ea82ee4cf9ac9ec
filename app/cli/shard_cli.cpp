#include "app/cli/shard_cli.hpp"

#include "app/cli/cli_common.hpp"
#include "core/error.hpp"

namespace xl::cli {

void add_shard_options(CLI::App* app, ShardOptions& o) {
    app->add_option("--shard", o.shard, "compute only shard i of n (0-based, e.g. 2/4: cells c with c mod 4 == 2); "
                                        "rows go to --shard-dir, `extrapolab merge DIR` joins them");
    app->add_option("--shard-dir", o.dir, "folder of the shard files (<kind>-shard-<i>-of-<n>.jsonl and .csv)");
    app->add_flag("--resume", o.resume, "with --shard-dir: skip the cells that a shard file there already holds");
}

ShardSpec check_shard_options(const ShardOptions& o) {
    if (o.dir.empty())
        throw Error(ErrorKind::BadArgument, o.resume ? "--resume" : "--shard " + o.shard, "needs --shard-dir DIR");
    return parse_shard(o.shard.empty() ? "0/1" : o.shard);
}

void run_shard(const ShardOptions& o, const std::string& kind, const nlohmann::json& sweep, int cells,
               const ShardCsv& csv, const std::function<nlohmann::json(int cell)>& compute) {
    const ShardSpec spec = check_shard_options(o);
    ShardStore store(o.dir, kind, spec, sweep, cells, csv, o.resume);
    const std::vector<int> todo = store.pending();
    info("shard " + spec.name() + ": " + std::to_string(todo.size()) + " cells to compute of " +
         std::to_string(cells) + " in the sweep" +
         (o.resume ? " (resumed; " + std::to_string(store.done_elsewhere()) + " of its cells found in other files)" : ""));
    for (int c : todo) store.add(c, compute(c));
    info("shard " + spec.name() + ": wrote " + store.jsonl_path());
}

}  // namespace xl::cli
