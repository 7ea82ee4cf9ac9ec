#include "core/model/gguf_vocab.hpp"

#include <cmath>

#include "core/error.hpp"

namespace xl {
namespace {

int64_t opt_int(const GgufFile& g, const std::string& key, int64_t fallback) {
    return g.find(key) ? g.get_int(key) : fallback;
}

}  // namespace

std::shared_ptr<SentencePieceBpe> gguf_tokenizer(const GgufFile& g) {
    if (!g.find("tokenizer.ggml.model")) return nullptr;
    const std::string model = g.get_string("tokenizer.ggml.model");
    if (model != "llama")
        throw Error(ErrorKind::Unsupported, g.path,
                    "tokenizer model '" + model + "' is not supported (supported: llama)");
    const GgufValue* tokens = g.find("tokenizer.ggml.tokens");
    if (!tokens || !tokens->is_array() || tokens->elem != GgufType::String || tokens->items.empty())
        throw Error(ErrorKind::BadFile, g.path, "tokenizer.ggml.tokens missing or not an array of strings");
    const size_t n = tokens->items.size();
    auto numbers = [&](const char* key) -> const GgufValue* {
        const GgufValue* v = g.find(key);
        if (v && (!v->is_array() || v->items.size() != n))
            throw Error(ErrorKind::BadFile, g.path, std::string(key) + " is not an array of " +
                                                        std::to_string(n) + " numbers");
        return v;
    };
    const GgufValue* scores = numbers("tokenizer.ggml.scores");
    const GgufValue* types = numbers("tokenizer.ggml.token_type");
    SpmVocab v;
    v.pieces.reserve(n);
    for (const GgufValue& t : tokens->items) {
        std::string p(t.s);  // SentencePiece writes a space as U+2581; llama2.c's export uses ' '
        for (size_t at = p.find("\xE2\x96\x81"); at != std::string::npos; at = p.find("\xE2\x96\x81", at + 1))
            p.replace(at, 3, " ");
        v.pieces.push_back(std::move(p));
    }
    constexpr int64_t kControl = 3;  // llama_token_type LLAMA_TOKEN_TYPE_CONTROL
    for (size_t k = 0; k < n; ++k) {
        const GgufValue* s = scores ? &scores->items[k] : nullptr;
        const float score = s ? float(s->is_float() ? s->f : double(s->i)) : 0.f;
        if (!std::isfinite(score))
            throw Error(ErrorKind::BadFile, g.path, "tokenizer.ggml.scores[" + std::to_string(k) + "] is not finite");
        v.scores.push_back(score);
        if (types) v.control.push_back(types->items[k].i == kControl);
    }
    auto id = [&](const char* key, int fallback) {
        const int64_t x = opt_int(g, key, fallback);
        if (x == int64_t(0xffffffff) || x < 0) return -1;  // "none" as llama.cpp writes it
        if (x >= int64_t(n))
            throw Error(ErrorKind::BadFile, g.path, std::string(key) + " " + std::to_string(x) +
                                                        " is outside the vocabulary of " + std::to_string(n));
        return int(x);
    };
    v.bos = id("tokenizer.ggml.bos_token_id", 1);
    v.eos = id("tokenizer.ggml.eos_token_id", 2);
    v.unk = id("tokenizer.ggml.unknown_token_id", 0);
    return std::make_shared<SentencePieceBpe>(std::move(v), "llama sentencepiece-bpe (GGUF vocabulary)");
}

}  // namespace xl
