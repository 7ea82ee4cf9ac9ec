// Format choice by content: a folder is a Hugging Face checkpoint; a file: "GGUF" magic,
// "PK\3\4" (a PyTorch zip checkpoint), else a plausible llama2.c header; then the tokenizer
// (given, embedded, or found beside a llama2.c checkpoint) and the vocabulary-size check.
#include "core/model/load_model.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "core/model/gguf_llama.hpp"
#include "core/model/hf_model.hpp"
#include "core/model/hf_tokenizer_json.hpp"
#include "core/model/llama2c_reader.hpp"
#include "core/model/mapped_file.hpp"
#include "core/model/pth_reader.hpp"

namespace xl {
namespace {

std::string magic_text(const uint8_t* p, size_t n) {
    std::string printable, hex;
    for (size_t i = 0; i < 4 && i < n; ++i) {
        char b[4];
        std::snprintf(b, sizeof b, "%02x", p[i]);
        hex += b;
        printable += (p[i] >= 0x20 && p[i] < 0x7f) ? char(p[i]) : '.';
    }
    return n == 0 ? "empty file" : "'" + printable + "' = 0x" + hex;
}

// A tokenizer file by content: a GGUF file lends its embedded vocabulary, a .json file is a
// Hugging Face tokenizer.json, else tokenizer.bin.
std::shared_ptr<Tokenizer> load_tokenizer_file(const std::string& path) {
    if (std::filesystem::path(path).extension() == ".json") return load_tokenizer_json(path);
    auto file = MappedFile::open(path);
    if (file->size() >= 4 && std::memcmp(file->data(), "GGUF", 4) == 0) {
        auto tok = gguf_tokenizer(read_gguf_metadata(file));
        if (!tok) throw Error(ErrorKind::BadFile, path, "GGUF file has no vocabulary");
        return tok;
    }
    return load_llama2c_tokenizer(path);
}

// llama2.c keeps its vocabulary in a separate file: tok<vocab>.bin or tokenizer.bin beside it.
std::string find_side_tokenizer(const std::string& model_path, int vocab) {
    const std::filesystem::path dir = std::filesystem::path(model_path).parent_path();
    const std::string names[] = {"tok" + std::to_string(vocab) + ".bin", "tokenizer.bin"};
    for (const std::string& n : names) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(dir / n, ec)) return (dir / n).string();
    }
    throw Error(ErrorKind::BadArgument, model_path,
                "llama2.c checkpoint without a vocabulary: pass --tokenizer (no " + names[0] + " or " + names[1] +
                    " beside it)");
}

}  // namespace

Model load_model(const std::string& model_path, const std::string& tokenizer_path) {
    Model m;
    bool pth = false;
    std::error_code ec;
    if (std::filesystem::is_directory(model_path, ec)) {
        m = load_hf_model(model_path);  // a Hugging Face checkpoint folder (config.json, safetensors)
    } else {
        auto file = MappedFile::open(model_path);
        const uint8_t* p = file->data();
        const size_t n = file->size();
        if (n >= 4 && std::memcmp(p, "GGUF", 4) == 0) {
            m = model_from_gguf(read_gguf(file));
        } else if (n >= 4 && std::memcmp(p, "PK\x03\x04", 4) == 0) {
            m = load_pth_model(model_path, tokenizer_path);  // reads its own tokenizer
            pth = true;
        } else if (looks_like_llama2c(p, n)) {
            m = load_llama2c_model(model_path);
        } else {
            throw Error(ErrorKind::BadFile, model_path,
                        "not a GGUF, llama2.c or PyTorch checkpoint (magic " + magic_text(p, n) + ")");
        }
    }
    std::string tok_path = tokenizer_path;
    if (!pth) {
        if (tok_path.empty() && m.config.format == "llama2.c")
            tok_path = find_side_tokenizer(model_path, m.config.vocab_size);
        if (!tok_path.empty()) {
            m.tokenizer = load_tokenizer_file(tok_path);
            m.config.metadata["tokenizer.file"] = tok_path;
        }
    }
    if (!m.tokenizer)
        throw Error(ErrorKind::Unsupported, model_path,
                    "no usable vocabulary" +
                        (m.config.warnings.empty() ? std::string() : " (" + m.config.warnings.back() + ")") +
                        ": pass --tokenizer");
    if (m.tokenizer->vocab_size() != m.config.vocab_size)
        throw Error(ErrorKind::Mismatch, tok_path.empty() ? model_path : tok_path,
                    "tokenizer has " + std::to_string(m.tokenizer->vocab_size()) + " tokens but model '" +
                        model_path + "' has a vocabulary of " + std::to_string(m.config.vocab_size));
    return m;
}

}  // namespace xl
