// Sharded sweeps (issue 11): a sweep's cells are numbered 0..N-1 in one fixed order, the order of
// its unsharded output. Shard i of n owns the cells c with c mod n == i (round-robin, so the
// costly long-length cells spread over the shards). A shard keeps its finished cells in its own
// pair of files, rewritten whole after every cell (core/io/atomic_file: never half-written):
//   DIR/<kind>-shard-<i>-of-<n>.jsonl   one self-describing JSON object per cell
//   DIR/<kind>-shard-<i>-of-<n>.csv     the same rows flat, for spreadsheets
// Every row names the extrapolab version, the sweep (model, text, protocol, the grid, ...), the
// cell and its result (resolved method spec, convention, device, ...):
//   {"extrapolab":"0.1","kind":"eval","sweep":{...},"cells":20,"cell":7,"shard":"3/4","result":{...}}
//
//   ShardStore store(dir, "eval", parse_shard("3/4"), sweep_json, 20, csv, /*resume*/ true);
//   for (int c : store.pending()) store.add(c, result_json);
//   ShardSet all = load_shard_dir(dir);   // merge: one sweep, every cell exactly once, else Error
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace xl {

struct ShardSpec {
    int index = 0, count = 1;                       // shard `index` of `count`, 0-based
    std::string name() const;                       // "3/4"
    bool owns(int cell) const { return cell % count == index; }
};
// "i/n" with 0 <= i < n. Error(BadArgument) naming --shard otherwise.
ShardSpec parse_shard(const std::string& text);
// DIR/<kind>-shard-<i>-of-<n> (add ".jsonl" or ".csv").
std::string shard_file_stem(const std::string& dir, const std::string& kind, const ShardSpec& s);

// A flat CSV view of the rows of one kind: its header line and one line per JSON row (both
// without the newline).
struct ShardCsv {
    std::string header;
    std::function<std::string(const nlohmann::json& row)> line;
};

class ShardStore {
public:
    // Creates DIR when missing and writes the shard's (possibly empty) files at once. With
    // `resume`, every shard file of `kind` already in DIR is read: rows of the same sweep count
    // as done (this shard's own rows are kept), rows of another sweep are an Error naming the file.
    ShardStore(std::string dir, std::string kind, ShardSpec shard, nlohmann::json sweep, int cells, ShardCsv csv,
               bool resume);
    std::vector<int> pending() const;               // cells this shard owns that no file holds yet
    int done_elsewhere() const { return done_elsewhere_; }  // owned cells found in DIR on resume
    void add(int cell, nlohmann::json result);      // appends the row, rewrites both files
    std::string jsonl_path() const { return stem_ + ".jsonl"; }

private:
    void write() const;
    nlohmann::json row(int cell, nlohmann::json result) const;
    std::string dir_, kind_, stem_;
    ShardSpec shard_;
    nlohmann::json sweep_;
    int cells_ = 0, done_elsewhere_ = 0;
    ShardCsv csv_;
    std::vector<nlohmann::json> rows_;              // this shard's file, in the order computed
    std::vector<bool> done_;
};

// Every shard row of DIR, checked: one extrapolab version, one kind, one sweep (the first field
// that differs is named with the two files), and every cell 0..cells-1 exactly once. Problems are
// collected into one Error(Mismatch) naming the folder, the missing cells (with their shard) and
// the duplicates. `results[c]` is cell c's "result" object.
struct ShardSet {
    std::string version, kind;
    nlohmann::json sweep;
    std::vector<nlohmann::json> results;
    std::vector<std::string> files;
};
ShardSet load_shard_dir(const std::string& dir);

// Finite doubles as JSON numbers (exact round trip); inf / -inf / nan as strings.
nlohmann::json json_number(double v);
double number_from_json(const nlohmann::json& j);

}  // namespace xl
