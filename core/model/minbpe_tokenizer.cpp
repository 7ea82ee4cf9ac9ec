// minbpe's BasicTokenizer / RegexTokenizer (file format of Tokenizer.save, "minbpe v1").
#include "core/model/minbpe_tokenizer.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/error.hpp"

namespace xl {
namespace {

uint64_t pair_key(int a, int b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

bool parse_int(std::string_view s, int& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::BadFile, path, "cannot open tokenizer file");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string all = ss.str();
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < all.size()) {
        size_t nl = all.find('\n', start);
        if (nl == std::string::npos) nl = all.size();
        std::string line = all.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
        start = nl + 1;
    }
    return lines;
}

}  // namespace

std::shared_ptr<MinbpeTokenizer> MinbpeTokenizer::load(const std::string& path) {
    std::vector<std::string> lines = read_lines(path);
    if (lines.empty() || lines[0] != "minbpe v1")
        throw Error(ErrorKind::BadFile, path, "not a minbpe tokenizer (first line is not 'minbpe v1')");
    if (lines.size() < 3) throw Error(ErrorKind::BadFile, path, "truncated minbpe tokenizer header");
    auto tok = std::make_shared<MinbpeTokenizer>();
    auto pattern = split_pattern_from_text(lines[1]);
    if (!pattern)
        throw Error(ErrorKind::Unsupported, path,
                    "unknown split pattern '" + lines[1] + "' (supported: none, GPT-2, GPT-4)");
    tok->pattern_ = *pattern;
    int n_special = 0;
    if (!parse_int(lines[2], n_special) || n_special < 0 || size_t(n_special) > lines.size() - 3)
        throw Error(ErrorKind::BadFile, path, "bad special-token count '" + lines[2] + "'");
    for (int b = 0; b < 256; ++b) tok->vocab_.push_back(std::string(1, char(b)));
    std::vector<std::pair<std::string, int>> specials;
    for (int k = 0; k < n_special; ++k) {
        const std::string& l = lines[size_t(3 + k)];
        size_t sp = l.rfind(' ');
        int id = 0;
        if (sp == std::string::npos || !parse_int(std::string_view(l).substr(sp + 1), id) || id < 0)
            throw Error(ErrorKind::BadFile, path, "bad special token line '" + l + "'");
        specials.emplace_back(l.substr(0, sp), id);
    }
    // Each merge may double a token: cap the vocabulary's total text by the file's own size.
    size_t file_bytes = 0;
    for (const std::string& l : lines) file_bytes += l.size() + 1;
    const size_t max_text = 64 * file_bytes + (64 << 10);
    size_t text_bytes = 256;
    for (size_t li = size_t(3 + n_special); li < lines.size(); ++li) {
        const std::string& l = lines[li];
        if (l.empty()) continue;
        size_t sp = l.find(' ');
        int a = -1, b = -1, id = int(tok->vocab_.size());
        if (sp == std::string::npos || !parse_int(std::string_view(l).substr(0, sp), a) ||
            !parse_int(std::string_view(l).substr(sp + 1), b) || a < 0 || b < 0 || a >= id || b >= id)
            throw Error(ErrorKind::BadFile, path, "bad merge on line " + std::to_string(li + 1) + ": '" + l + "'");
        text_bytes += tok->vocab_[size_t(a)].size() + tok->vocab_[size_t(b)].size();
        if (text_bytes > max_text)
            throw Error(ErrorKind::BadFile, path, "merges up to line " + std::to_string(li + 1) + " build " +
                                                      std::to_string(text_bytes) + " bytes of token text, more than " +
                                                      std::to_string(max_text) + " for a file of this size");
        tok->merges_.emplace(pair_key(a, b), id);
        tok->vocab_.push_back(tok->vocab_[size_t(a)] + tok->vocab_[size_t(b)]);
        ++tok->merge_count_;
    }
    // minbpe numbers special tokens after the merges, sometimes with small gaps (GPT-4's): an id
    // far past them would only make a huge empty vocabulary.
    const size_t max_id = tok->vocab_.size() + specials.size() + 1024;
    for (auto& [text, id] : specials) {
        if (size_t(id) >= max_id)
            throw Error(ErrorKind::BadFile, path, "special token '" + text.substr(0, 64) + "' has id " + std::to_string(id) +
                                                      ", far past the vocabulary of " + std::to_string(tok->vocab_.size()) +
                                                      " tokens (ids from " + std::to_string(max_id) + " on are refused)");
        if (size_t(id) >= tok->vocab_.size()) tok->vocab_.resize(size_t(id) + 1);
        tok->vocab_[size_t(id)] = text;
    }
    return tok;
}

// minbpe: repeatedly merge every occurrence (left to right) of the adjacent pair whose merge
// came earliest in training, until no adjacent pair is a merge.
void MinbpeTokenizer::encode_chunk(std::string_view chunk, std::vector<int>& out) const {
    std::vector<int> ids(chunk.begin(), chunk.end());
    for (int& id : ids) id = int(uint8_t(id));
    while (ids.size() >= 2) {
        int best = std::numeric_limits<int>::max();
        uint64_t best_key = 0;
        for (size_t k = 0; k + 1 < ids.size(); ++k) {
            auto it = merges_.find(pair_key(ids[k], ids[k + 1]));
            if (it != merges_.end() && it->second < best) best = it->second, best_key = it->first;
        }
        if (best == std::numeric_limits<int>::max()) break;
        size_t w = 0;
        for (size_t k = 0; k < ids.size(); ++w) {
            if (k + 1 < ids.size() && pair_key(ids[k], ids[k + 1]) == best_key) {
                ids[w] = best;
                k += 2;
            } else {
                ids[w] = ids[k++];
            }
        }
        ids.resize(w);
    }
    out.insert(out.end(), ids.begin(), ids.end());
}

std::vector<int> MinbpeTokenizer::encode(std::string_view text, bool) const {
    std::vector<int> out;
    for (std::string_view chunk : split_text(text, pattern_)) encode_chunk(chunk, out);
    return out;
}

std::string MinbpeTokenizer::decode_token(int, int token) const {
    if (token < 0 || size_t(token) >= vocab_.size()) return {};
    return vocab_[size_t(token)];
}

std::string MinbpeTokenizer::kind() const {
    switch (pattern_) {
        case SplitPattern::None: return "minbpe basic";
        case SplitPattern::GPT2: return "minbpe regex (GPT-2 split)";
        case SplitPattern::GPT4: return "minbpe regex (GPT-4 split)";
    }
    return "minbpe";
}

std::shared_ptr<MinbpeTokenizer> load_minbpe_tokenizer(const std::string& path) {
    return MinbpeTokenizer::load(path);
}

}  // namespace xl
