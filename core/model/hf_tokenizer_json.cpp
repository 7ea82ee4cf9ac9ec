#include "core/model/hf_tokenizer_json.hpp"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "core/error.hpp"
#include "core/io/json_limits.hpp"
#include "core/model/byte_level_bpe.hpp"
#include "core/model/gguf_vocab.hpp"

namespace xl {
namespace {

using nlohmann::json;

const char* const kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// j[key] for reading: a null value when j is not an object or lacks the key (nlohmann's const
// operator[] asserts on a missing key, and is undefined behaviour without assertions).
const json& member(const json& j, const char* key) {
    static const json null_value;
    if (!j.is_object()) return null_value;
    const auto it = j.find(key);
    return it == j.end() ? null_value : *it;
}

std::string type_of(const json& j) {
    const json& t = member(j, "type");
    return t.is_string() ? t.get<std::string>() : "null";
}

// pre["pretokenizers"] when it is a list, else an empty list.
const json& pretokenizers(const json& pre) {
    static const json empty = json::array();
    const json& p = member(pre, "pretokenizers");
    return p.is_array() ? p : empty;
}

std::string describe(const json& pre) {
    if (type_of(pre) != "Sequence") return type_of(pre);
    std::string s = "Sequence[";
    for (const auto& p : pretokenizers(pre)) s += (s.back() == '[' ? "" : ", ") + type_of(p);
    return s + "]";
}

// A JSON integer in [lo, hi] (a float or an integer outside would be undefined behaviour to
// convert); nullopt otherwise.
std::optional<int64_t> integer_in(const json& v, int64_t lo, int64_t hi) {
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        return u <= uint64_t(hi) && int64_t(u) >= lo ? std::optional<int64_t>(int64_t(u)) : std::nullopt;
    }
    if (!v.is_number_integer()) return std::nullopt;
    const int64_t i = v.get<int64_t>();
    return i >= lo && i <= hi ? std::optional<int64_t>(i) : std::nullopt;
}

std::optional<PreTokenizer> pre_tokenizer_of(const json& pre) {
    auto byte_level = [](const json& p, bool regex) {
        return type_of(p) == "ByteLevel" && p.value("use_regex", true) == regex;
    };
    if (byte_level(pre, true)) return PreTokenizer::Gpt2;
    if (type_of(pre) != "Sequence" || pretokenizers(pre).size() != 2) return std::nullopt;
    const json& a = pretokenizers(pre)[0];
    const json& b = pretokenizers(pre)[1];
    if (type_of(a) == "Digits" && a.value("individual_digits", false) && byte_level(b, true)) return PreTokenizer::Smollm;
    if (type_of(a) == "Split" && byte_level(b, false) && member(member(a, "pattern"), "Regex").is_string()) {
        const std::string r = member(member(a, "pattern"), "Regex").get<std::string>();
        if (r == kLlama3Regex) return PreTokenizer::Llama3;
        if (r == kQwen2Regex) return PreTokenizer::Qwen2;
    }
    return std::nullopt;
}

json parse_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::BadFile, path, "cannot open tokenizer.json");
    std::ostringstream s;
    s << in.rdbuf();
    return parse_json_limited(s.str(), path, ErrorKind::BadFile);
}

// Ids index the vocabulary: the largest allowed is bounded by the file's own entries (vocab +
// added tokens; real files are dense, with room for a few holes), so a small file cannot make
// the vocabulary large. `limit` is that bound.
void put(Vocab& v, const std::string& path, const json& id_value, int64_t limit, const std::string& text, TokenKind kind) {
    const std::optional<int64_t> id = integer_in(id_value, 0, std::min<int64_t>(limit, int64_t(1) << 24));
    if (!id)
        throw Error(ErrorKind::BadFile, path, "token id " + json_excerpt(id_value) + " of '" + text.substr(0, 80) +
                                                  "' is out of range (0 to " + std::to_string(std::min<int64_t>(limit, int64_t(1) << 24)) +
                                                  " for a file with this many tokens)");
    if (size_t(*id) >= v.tokens.size()) {
        v.tokens.resize(size_t(*id) + 1);
        v.kinds.resize(size_t(*id) + 1, TokenKind::Undefined);
    }
    v.tokens[size_t(*id)] = text;
    v.kinds[size_t(*id)] = kind;
}

void read_merges(Vocab& v, const json& merges, const std::string& path) {
    if (!merges.is_array()) throw Error(ErrorKind::BadFile, path, "model.merges is not an array");
    v.merges.reserve(merges.size());
    for (const auto& m : merges) {
        if (m.is_string()) {
            v.merges.push_back(m.get<std::string>());
        } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
            v.merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
        } else {
            throw Error(ErrorKind::BadFile, path, "model.merges holds an entry that is neither \"a b\" nor [a, b]");
        }
    }
}

// BOS from TemplateProcessing: its "single" template starting with a special token, which must
// be a token of the vocabulary.
void read_post_processor(Vocab& v, const json& post, const std::string& path) {
    const json& single = member(post, "single");
    if (type_of(post) != "TemplateProcessing" || !single.is_array() || single.empty()) return;
    const json& name = member(member(single[0], "SpecialToken"), "id");
    if (!name.is_string()) return;
    const json& ids = member(member(member(post, "special_tokens"), name.get<std::string>().c_str()), "ids");
    if (!ids.is_array() || ids.empty()) return;
    const std::optional<int64_t> bos = integer_in(ids[0], 0, int64_t(v.tokens.size()) - 1);
    if (!bos)
        throw Error(ErrorKind::BadFile, path, "post_processor: BOS '" + name.get<std::string>().substr(0, 80) + "' has id " +
                                                  json_excerpt(ids[0]) + ", not a token of the " +
                                                  std::to_string(v.tokens.size()) + "-token vocabulary");
    v.bos = int(*bos);
    v.add_bos = true;
}

Vocab read_vocab(const json& j, const std::string& path) {
    const json& model = j["model"];
    if (type_of(model) != "BPE")
        throw Error(ErrorKind::Unsupported, path, "tokenizer model '" + type_of(model) + "' is not supported (supported: BPE)");
    if (!model.contains("vocab") || !model["vocab"].is_object())
        throw Error(ErrorKind::BadFile, path, "model.vocab is missing or not an object");
    Vocab v;
    const json& added = member(j, "added_tokens");
    const int64_t entries = int64_t(model["vocab"].size()) + (added.is_array() ? int64_t(added.size()) : 0);
    const int64_t id_limit = 2 * entries + 1024;
    for (const auto& [text, id] : model["vocab"].items()) {
        if (!id.is_number_integer()) throw Error(ErrorKind::BadFile, path, "model.vocab['" + text.substr(0, 80) + "'] is not an integer id");
        put(v, path, id, id_limit, text, TokenKind::Normal);
    }
    read_merges(v, model.value("merges", json::array()), path);
    if (added.is_array())
        for (const auto& t : added) {
            if (!t.is_object()) throw Error(ErrorKind::BadFile, path, "added_tokens holds an entry that is not an object");
            put(v, path, member(t, "id"), id_limit, t.value("content", std::string()),
                t.value("special", false) ? TokenKind::Control : TokenKind::UserDefined);
        }
    for (size_t id = 0; id < v.tokens.size(); ++id)
        if (v.kinds[id] == TokenKind::Undefined) v.tokens[id] = "[UNUSED_" + std::to_string(id) + "]";
    v.ignore_merges = model.value("ignore_merges", false);
    v.parse_special = true;
    read_post_processor(v, member(j, "post_processor"), path);
    for (const char* eos : {"<|im_end|>", "<|eot_id|>", "<|endoftext|>", "<|end_of_text|>"})
        for (size_t id = 0; id < v.tokens.size() && v.eos < 0; ++id)
            if (v.kinds[id] == TokenKind::Control && v.tokens[id] == eos) v.eos = int(id);
    return v;
}

}  // namespace

std::shared_ptr<Tokenizer> load_tokenizer_json(const std::string& path) {
    const json j = parse_file(path);
    if (!j.is_object() || !j.contains("model")) throw Error(ErrorKind::BadFile, path, "no 'model' object: not a tokenizer.json");
    try {
        Vocab v = read_vocab(j, path);
        const json pre = j.value("pre_tokenizer", json());
        const std::optional<PreTokenizer> p = pre_tokenizer_of(pre);
        if (!p || j["model"].value("byte_fallback", false))
            throw Error(ErrorKind::Unsupported, path,
                        "pre-tokenizer " + describe(pre) + (j["model"].value("byte_fallback", false) ? " with byte_fallback" : "") +
                            " is not supported (supported: byte-level BPE with ByteLevel, Digits+ByteLevel, "
                            "or the Llama-3 / Qwen2 Split patterns)");
        v.pre = pre_tokenizer_name(*p);
        const std::string kind = std::string("gpt2 byte-level bpe, pre ") + v.pre + " (tokenizer.json)";
        return std::make_shared<ByteLevelBpe>(std::move(v), *p, kind);
    } catch (const json::exception& e) {
        throw Error(ErrorKind::BadFile, path, std::string("unexpected tokenizer.json structure: ") + e.what());
    }
}

}  // namespace xl
