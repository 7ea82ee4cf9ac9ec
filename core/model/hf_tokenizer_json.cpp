#include "core/model/hf_tokenizer_json.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.hpp"
#include "core/model/byte_level_bpe.hpp"
#include "core/model/gguf_vocab.hpp"

namespace xl {
namespace {

using nlohmann::json;

const char* const kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* const kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::string type_of(const json& j) { return j.is_object() && j.contains("type") ? j["type"].get<std::string>() : "null"; }

std::string describe(const json& pre) {
    if (type_of(pre) != "Sequence") return type_of(pre);
    std::string s = "Sequence[";
    for (const auto& p : pre["pretokenizers"]) s += (s.back() == '[' ? "" : ", ") + type_of(p);
    return s + "]";
}

std::optional<PreTokenizer> pre_tokenizer_of(const json& pre) {
    auto byte_level = [](const json& p, bool regex) {
        return type_of(p) == "ByteLevel" && p.value("use_regex", true) == regex;
    };
    if (byte_level(pre, true)) return PreTokenizer::Gpt2;
    if (type_of(pre) != "Sequence" || pre["pretokenizers"].size() != 2) return std::nullopt;
    const json& a = pre["pretokenizers"][0];
    const json& b = pre["pretokenizers"][1];
    if (type_of(a) == "Digits" && a.value("individual_digits", false) && byte_level(b, true)) return PreTokenizer::Smollm;
    if (type_of(a) == "Split" && byte_level(b, false) && a["pattern"].contains("Regex")) {
        const std::string r = a["pattern"]["Regex"].get<std::string>();
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
    try {
        return json::parse(s.str());
    } catch (const json::exception& e) {
        throw Error(ErrorKind::BadFile, path, std::string("not valid JSON: ") + e.what());
    }
}

void put(Vocab& v, const std::string& path, int64_t id, const std::string& text, TokenKind kind) {
    if (id < 0 || id > (int64_t(1) << 24))
        throw Error(ErrorKind::BadFile, path, "token id " + std::to_string(id) + " of '" + text + "' is out of range");
    if (size_t(id) >= v.tokens.size()) {
        v.tokens.resize(size_t(id) + 1);
        v.kinds.resize(size_t(id) + 1, TokenKind::Undefined);
    }
    v.tokens[size_t(id)] = text;
    v.kinds[size_t(id)] = kind;
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

// BOS from TemplateProcessing: its "single" template starting with a special token.
void read_post_processor(Vocab& v, const json& post) {
    if (type_of(post) != "TemplateProcessing" || !post.contains("single") || post["single"].empty()) return;
    const json& first = post["single"][0];
    if (!first.contains("SpecialToken")) return;
    const std::string name = first["SpecialToken"]["id"].get<std::string>();
    const json& specials = post["special_tokens"];
    if (specials.contains(name) && !specials[name]["ids"].empty()) {
        v.bos = specials[name]["ids"][0].get<int>();
        v.add_bos = true;
    }
}

Vocab read_vocab(const json& j, const std::string& path) {
    const json& model = j["model"];
    if (type_of(model) != "BPE")
        throw Error(ErrorKind::Unsupported, path, "tokenizer model '" + type_of(model) + "' is not supported (supported: BPE)");
    if (!model.contains("vocab") || !model["vocab"].is_object())
        throw Error(ErrorKind::BadFile, path, "model.vocab is missing or not an object");
    Vocab v;
    for (const auto& [text, id] : model["vocab"].items()) {
        if (!id.is_number_integer()) throw Error(ErrorKind::BadFile, path, "model.vocab['" + text + "'] is not an integer id");
        put(v, path, id.get<int64_t>(), text, TokenKind::Normal);
    }
    read_merges(v, model.value("merges", json::array()), path);
    if (j.contains("added_tokens") && j["added_tokens"].is_array())
        for (const auto& t : j["added_tokens"])
            put(v, path, t.value("id", int64_t(-1)), t.value("content", std::string()),
                t.value("special", false) ? TokenKind::Control : TokenKind::UserDefined);
    for (size_t id = 0; id < v.tokens.size(); ++id)
        if (v.kinds[id] == TokenKind::Undefined) v.tokens[id] = "[UNUSED_" + std::to_string(id) + "]";
    v.ignore_merges = model.value("ignore_merges", false);
    v.parse_special = true;
    if (j.contains("post_processor")) read_post_processor(v, j["post_processor"]);
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
