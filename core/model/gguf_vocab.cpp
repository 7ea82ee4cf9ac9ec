#include "core/model/gguf_vocab.hpp"

#include <cmath>

#include "core/error.hpp"
#include "core/model/byte_level_bpe.hpp"
#include "core/model/llama_spm.hpp"

namespace xl {
namespace {

const GgufValue* array_of(const GgufFile& g, const char* key, size_t n, bool strings) {
    const GgufValue* v = g.find(key);
    if (!v) return nullptr;
    const bool ok = v->is_array() && (strings ? v->elem == GgufType::String : v->elem != GgufType::String) &&
                    (n == 0 || v->items.size() == n);
    if (!ok)
        throw Error(ErrorKind::BadFile, g.path, std::string(key) + " is not an array of " +
                                                    (n ? std::to_string(n) + " " : std::string()) +
                                                    (strings ? "strings" : "numbers"));
    return v;
}

bool opt_bool(const GgufFile& g, const std::string& key, bool fallback) {
    const GgufValue* v = g.find(key);
    return v && v->is_int() ? v->i != 0 : fallback;
}

// A special-token id key; llama.cpp keeps the default when the stored id is outside the vocabulary.
int token_id(const GgufFile& g, const char* key, int fallback, size_t n) {
    const GgufValue* v = g.find(key);
    if (!v || !v->is_int()) return fallback;
    if (v->i < 0 || v->i >= int64_t(n)) return fallback;
    return int(v->i);
}

}  // namespace

void mark_control_looking_tokens(Vocab& v) {
    static const char* const kTexts[] = {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                         "<|end_of_text|>", "<EOT>", "<|eom_id|>", "<|fim_prefix|>",
                                         "<|fim_suffix|>", "<|fim_middle|>", "<|fim_pad|>", "<|fim_repo|>",
                                         "<|repo_name|>", "<|file_sep|>"};
    for (size_t id = 0; id < v.tokens.size(); ++id)
        for (const char* t : kTexts)
            if (v.tokens[id] == t) v.kinds[id] = TokenKind::Control;
}

Vocab read_gguf_vocab(const GgufFile& g) {
    const std::string model = g.get_string("tokenizer.ggml.model");
    if (model != "llama" && model != "gpt2")
        throw Error(ErrorKind::Unsupported, g.path,
                    "tokenizer model '" + model + "' is not supported (supported: llama, gpt2)");
    const GgufValue* tokens = array_of(g, "tokenizer.ggml.tokens", 0, true);
    if (!tokens || tokens->items.empty())
        throw Error(ErrorKind::BadFile, g.path, "tokenizer.ggml.tokens missing or not an array of strings");
    const size_t n = tokens->items.size();
    const GgufValue* scores = array_of(g, "tokenizer.ggml.scores", n, false);
    const GgufValue* types = array_of(g, "tokenizer.ggml.token_type", n, false);
    Vocab v;
    v.tokens.reserve(n);
    for (size_t k = 0; k < n; ++k) {
        const std::string_view t = tokens->items[k].s;  // llama.cpp renames empty tokens
        v.tokens.push_back(t.empty() ? "[EMPTY_" + std::to_string(k) + "]" : std::string(t));
    }
    v.kinds.assign(n, TokenKind::Normal);
    if (scores) v.scores.resize(n);
    for (size_t k = 0; k < n; ++k) {
        if (scores) {
            const GgufValue& s = scores->items[k];
            v.scores[k] = float(s.is_float() ? s.f : double(s.i));
            if (!std::isfinite(v.scores[k]))
                throw Error(ErrorKind::BadFile, g.path, "tokenizer.ggml.scores[" + std::to_string(k) + "] is not finite");
        }
        if (types) {
            const int64_t t = types->items[k].i;
            v.kinds[k] = t >= 1 && t <= 6 ? TokenKind(t) : TokenKind::Undefined;
        }
    }
    const bool spm = model == "llama";
    if (!spm) {
        const GgufValue* merges = array_of(g, "tokenizer.ggml.merges", 0, true);
        if (!merges) throw Error(ErrorKind::BadFile, g.path, "gpt2 vocabulary without tokenizer.ggml.merges");
        v.merges.reserve(merges->items.size());
        for (const GgufValue& m : merges->items) v.merges.emplace_back(m.s);
    }
    v.pre = g.find("tokenizer.ggml.pre") ? g.get_string("tokenizer.ggml.pre") : "default";
    v.bos = token_id(g, "tokenizer.ggml.bos_token_id", spm ? 1 : 11, n);
    v.eos = token_id(g, "tokenizer.ggml.eos_token_id", spm ? 2 : 11, n);
    v.unk = token_id(g, "tokenizer.ggml.unknown_token_id", spm ? 0 : -1, n);
    const bool llama3 = !spm && (v.pre == "llama3" || v.pre == "llama-v3" || v.pre == "llama-bpe" ||
                                 v.pre == "falcon3" || v.pre == "pixtral");
    v.ignore_merges = llama3;  // llama.cpp sets it for the llama-bpe family
    v.add_bos = opt_bool(g, "tokenizer.ggml.add_bos_token", spm || llama3);
    v.add_eos = opt_bool(g, "tokenizer.ggml.add_eos_token", false);
    v.add_space_prefix = opt_bool(g, "tokenizer.ggml.add_space_prefix", spm);
    mark_control_looking_tokens(v);
    return v;
}

std::shared_ptr<Tokenizer> make_tokenizer(Vocab v, const std::string& model, const std::string& source,
                                          const std::string& path) {
    if (model == "llama") {
        if (v.scores.empty()) v.scores.assign(v.tokens.size(), 0.f);
        return std::make_shared<LlamaSpm>(std::move(v), "llama sentencepiece (" + source + ")");
    }
    const std::optional<PreTokenizer> pre = pre_tokenizer_from_name(v.pre);
    if (!pre)
        throw Error(ErrorKind::Unsupported, path,
                    "pre-tokenizer '" + v.pre + "' is not supported (supported: default, gpt-2, smollm, llama-bpe, qwen2 "
                    "and their aliases)");
    const std::string kind = std::string("gpt2 byte-level bpe, pre ") + pre_tokenizer_name(*pre) + " (" + source + ")";
    return std::make_shared<ByteLevelBpe>(std::move(v), *pre, kind);
}

std::shared_ptr<Tokenizer> gguf_tokenizer(const GgufFile& g) {
    if (!g.find("tokenizer.ggml.model")) return nullptr;
    return make_tokenizer(read_gguf_vocab(g), g.get_string("tokenizer.ggml.model"), "GGUF vocabulary", g.path);
}

}  // namespace xl
