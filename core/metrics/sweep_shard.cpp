#include "core/metrics/sweep_shard.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/io/atomic_file.hpp"
#include "core/version.hpp"

namespace xl {

namespace fs = std::filesystem;

std::string ShardSpec::name() const { return std::to_string(index) + "/" + std::to_string(count); }

ShardSpec parse_shard(const std::string& text) {
    static const std::regex form(R"(([0-9]{1,6})/([0-9]{1,6}))");
    std::smatch m;
    if (std::regex_match(text, m, form)) {
        ShardSpec s{std::stoi(m[1]), std::stoi(m[2])};
        if (s.count >= 1 && s.index < s.count) return s;
    }
    throw Error(ErrorKind::BadArgument, "--shard " + text, "expected i/n with 0 <= i < n (e.g. 0/4 ... 3/4)");
}

std::string shard_file_stem(const std::string& dir, const std::string& kind, const ShardSpec& s) {
    return (fs::path(dir) / (kind + "-shard-" + std::to_string(s.index) + "-of-" + std::to_string(s.count))).string();
}

nlohmann::json json_number(double v) {
    if (std::isfinite(v)) return v;
    return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
}

double number_from_json(const nlohmann::json& j) {
    if (j.is_number()) return j.get<double>();
    const std::string s = j.is_string() ? j.get<std::string>() : "";
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
}

namespace {

struct ShardFile {
    std::string path, kind;
    ShardSpec shard;
};

// Every DIR/<kind>-shard-<i>-of-<n>.jsonl, sorted by name.
std::vector<ShardFile> shard_files(const std::string& dir) {
    static const std::regex form(R"(([a-z]+)-shard-([0-9]+)-of-([0-9]+)\.jsonl)");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw Error(ErrorKind::BadFile, dir, "not a folder");
    std::vector<ShardFile> out;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        std::smatch m;
        const std::string name = e.path().filename().string();
        if (e.is_regular_file() && std::regex_match(name, m, form))
            out.push_back({e.path().string(), m[1], {std::stoi(m[2]), std::stoi(m[3])}});
    }
    std::sort(out.begin(), out.end(), [](const ShardFile& a, const ShardFile& b) { return a.path < b.path; });
    return out;
}

std::vector<nlohmann::json> read_rows(const std::string& path) {
    std::istringstream in(read_text_file(path));
    std::vector<nlohmann::json> rows;
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (line.empty()) continue;
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("cell") || !j.contains("sweep") ||
            !j.contains("result") || !j.contains("cells") || !j["cell"].is_number_integer() ||
            !j["cells"].is_number_integer())
            throw Error(ErrorKind::BadFile, path + ":" + std::to_string(line_no), "not a shard row");
        rows.push_back(std::move(j));
    }
    return rows;
}

std::string short_text(const nlohmann::json& j) {
    std::string s = j.dump();
    return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

// The first field where `a` and `b` differ, as "sweep.model.path (\"x\" vs \"y\")"; "" when equal.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b, const std::string& where) {
    if (a == b) return "";
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string d = first_difference(it.value(), b.contains(it.key()) ? b[it.key()] : nlohmann::json(),
                                                   where + "." + it.key());
            if (!d.empty()) return d;
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key())) return where + "." + it.key() + " (absent vs " + short_text(it.value()) + ")";
    }
    return where + " (" + short_text(a) + " vs " + short_text(b) + ")";
}

// What must agree between two rows of one sweep: version, kind, sweep, cell count.
std::string row_difference(const nlohmann::json& a, const nlohmann::json& b) {
    for (const char* key : {"extrapolab", "kind", "cells"})
        if (a.value(key, nlohmann::json()) != b.value(key, nlohmann::json()))
            return first_difference(a.value(key, nlohmann::json()), b.value(key, nlohmann::json()), key);
    return first_difference(a["sweep"], b["sweep"], "sweep");
}

std::string cell_list(const std::vector<int>& cells) {
    std::string s;
    for (size_t k = 0; k < cells.size() && k < 20; ++k) s += (k ? ", " : "") + std::to_string(cells[k]);
    if (cells.size() > 20) s += ", ... (" + std::to_string(cells.size() - 20) + " more)";
    return s;
}

}  // namespace

ShardStore::ShardStore(std::string dir, std::string kind, ShardSpec shard, nlohmann::json sweep, int cells,
                       ShardCsv csv, bool resume)
    : dir_(std::move(dir)), kind_(std::move(kind)), shard_(shard), sweep_(std::move(sweep)), cells_(cells),
      csv_(std::move(csv)), done_(size_t(cells), false) {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    if (!fs::is_directory(dir_)) throw Error(ErrorKind::BadFile, dir_, "cannot create the shard folder");
    stem_ = shard_file_stem(dir_, kind_, shard_);
    if (resume) {
        const nlohmann::json mine = row(0, nlohmann::json::object());
        for (const ShardFile& f : shard_files(dir_)) {
            if (f.kind != kind_) continue;
            const bool own = f.path == jsonl_path();
            for (nlohmann::json& r : read_rows(f.path)) {
                const std::string d = row_difference(mine, r);
                if (!d.empty())
                    throw Error(ErrorKind::Mismatch, f.path, "holds another sweep than the one resumed: " + d);
                const int c = r["cell"].get<int>();
                if (c < 0 || c >= cells_) throw Error(ErrorKind::BadFile, f.path, "cell out of range");
                if (!own && shard_.owns(c) && !done_[size_t(c)]) ++done_elsewhere_;
                done_[size_t(c)] = true;
                if (own) rows_.push_back(std::move(r));
            }
        }
    }
    write();
}

nlohmann::json ShardStore::row(int cell, nlohmann::json result) const {
    return {{"extrapolab", extrapolab_version()}, {"kind", kind_}, {"sweep", sweep_}, {"cells", cells_},
            {"cell", cell}, {"shard", shard_.name()}, {"result", std::move(result)}};
}

std::vector<int> ShardStore::pending() const {
    std::vector<int> out;
    for (int c = 0; c < cells_; ++c)
        if (shard_.owns(c) && !done_[size_t(c)]) out.push_back(c);
    return out;
}

void ShardStore::add(int cell, nlohmann::json result) {
    rows_.push_back(row(cell, std::move(result)));
    done_[size_t(cell)] = true;
    write();
}

void ShardStore::write() const {
    std::string jsonl, table = csv_.header + "\n";
    for (const nlohmann::json& r : rows_) {
        jsonl += r.dump() + "\n";
        table += csv_.line(r) + "\n";
    }
    write_file_atomic(jsonl_path(), jsonl);  // the JSON lines are what merge and resume read
    write_file_atomic(stem_ + ".csv", table);
}

ShardSet load_shard_dir(const std::string& dir) {
    const std::vector<ShardFile> files = shard_files(dir);
    if (files.empty()) throw Error(ErrorKind::BadFile, dir, "holds no shard files (<kind>-shard-<i>-of-<n>.jsonl)");
    ShardSet set;
    nlohmann::json first;
    std::string first_file;
    std::vector<std::vector<std::string>> holders;
    std::map<int, int> counts;  // shard count n -> files
    for (const ShardFile& f : files) {
        ++counts[f.shard.count];
        set.files.push_back(f.path);
        for (nlohmann::json& r : read_rows(f.path)) {
            if (first.is_null()) {
                first = r;
                first_file = f.path;
                set.version = r.value("extrapolab", "");
                set.kind = r.value("kind", "");
                set.sweep = r["sweep"];
                holders.resize(size_t(std::max(0, r["cells"].get<int>())));
                set.results.resize(holders.size());
            }
            const std::string d = row_difference(first, r);
            if (!d.empty())
                throw Error(ErrorKind::Mismatch, dir, "shards disagree: " + first_file + " and " + f.path +
                                                          " differ in " + d);
            const int c = r["cell"].get<int>();
            if (c < 0 || c >= int(holders.size())) throw Error(ErrorKind::BadFile, f.path, "cell out of range");
            holders[size_t(c)].push_back(f.path);
            set.results[size_t(c)] = std::move(r["result"]);
        }
    }
    if (first.is_null()) throw Error(ErrorKind::Mismatch, dir, "the shard files hold no cells yet");
    std::vector<int> missing;
    std::string problems;
    for (size_t c = 0; c < holders.size(); ++c) {
        if (holders[c].empty()) missing.push_back(int(c));
        if (holders[c].size() > 1) {
            problems += "; cell " + std::to_string(c) + " is in " + std::to_string(holders[c].size()) + " files:";
            for (const auto& h : holders[c]) problems += " " + h;
        }
    }
    if (!missing.empty()) {
        std::string owners;
        const int n = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
        std::set<int> own;
        for (int c : missing) own.insert(c % n);
        for (int i : own) owners += (owners.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(n);
        problems = "; missing " + std::to_string(missing.size()) + " of " + std::to_string(holders.size()) +
                   " cells: " + cell_list(missing) + " (of shard " + owners + "; re-run with --resume)" + problems;
    }
    if (!problems.empty()) throw Error(ErrorKind::Mismatch, dir, problems.substr(2));
    return set;
}

}  // namespace xl
