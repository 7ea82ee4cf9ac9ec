#include "core/metrics/text_stream.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace xl {

namespace {

constexpr std::string_view kEndOfText = "<|endoftext|>";

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n\f\v";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// Lines of `text` as views, without their '\n'.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < text.size()) lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

bool is_separator(std::string_view line, DocumentSeparator sep) {
    if (sep == DocumentSeparator::EndOfText) return trim(line) == kEndOfText;
    return trim(line).empty();
}

// Offset of the first byte that breaks UTF-8 (or a NUL), or npos when the text is valid.
size_t first_invalid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        int extra = c == 0 ? -1 : c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2
                  : (c >> 3) == 0x1E ? 3 : -1;
        if (extra < 0 || i + size_t(extra) >= s.size()) return i;
        for (int k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i;
        i += size_t(extra) + 1;
    }
    return std::string_view::npos;
}

}  // namespace

const char* to_string(DocumentSeparator s) {
    return s == DocumentSeparator::EndOfText ? "<|endoftext|> lines" : "blank lines";
}

SplitText split_documents(std::string_view text) {
    auto lines = lines_of(text);
    SplitText out;
    for (auto l : lines)
        if (is_separator(l, DocumentSeparator::EndOfText)) {
            out.separator = DocumentSeparator::EndOfText;
            break;
        }
    // Each document spans the bytes between separator lines (newlines inside are kept).
    const char* doc_begin = text.data();
    auto flush = [&](const char* end) {
        std::string_view doc = trim(std::string_view(doc_begin, size_t(end - doc_begin)));
        if (!doc.empty()) out.documents.emplace_back(doc);
    };
    for (auto l : lines) {
        if (!is_separator(l, out.separator)) continue;
        flush(l.data());
        doc_begin = l.data() + l.size();
    }
    flush(text.data() + text.size());
    return out;
}

std::string DocumentFormat::describe() const {
    std::string d = "BOS (where the vocabulary has one) + ";
    if (!prefix.empty()) d += "'" + prefix + "' + ";
    d += "tokens";
    if (newlines_to_spaces) d += ", newlines as spaces";
    return d;
}

std::vector<int> encode_documents(const std::vector<std::string>& documents, const Tokenizer& tok,
                                  const DocumentFormat& format) {
    std::vector<int> tokens;
    const bool bos = tok.bos() >= 0;
    for (const auto& doc : documents) {
        std::string text = format.prefix + doc;
        if (format.newlines_to_spaces)
            for (char& c : text)
                if (c == '\n') c = ' ';
        auto ids = tok.encode(text, bos);
        tokens.insert(tokens.end(), ids.begin(), ids.end());
    }
    return tokens;
}

TokenStream load_token_stream(const std::string& path, const Tokenizer& tok, const DocumentFormat& format) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorKind::BadFile, path, "text file not found");
    if (std::filesystem::is_directory(path, ec))
        throw Error(ErrorKind::BadFile, path, "is a directory, expected a UTF-8 text file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorKind::BadFile, path, "cannot open the text file for reading");
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad()) throw Error(ErrorKind::BadFile, path, "read error");
    const std::string text = buf.str();
    if (size_t bad = first_invalid_utf8(text); bad != std::string::npos)
        throw Error(ErrorKind::BadFile, path,
                    "not UTF-8 text (invalid byte at offset " + std::to_string(bad) + ")");
    SplitText split = split_documents(text);
    if (split.documents.empty()) throw Error(ErrorKind::BadFile, path, "the text file contains no documents");
    TokenStream s;
    s.path = path;
    s.documents = int(split.documents.size());
    s.separator = split.separator;
    s.bos = tok.bos();
    s.bytes = text.size();
    s.encoding = format.describe();
    s.tokens = encode_documents(split.documents, tok, format);
    return s;
}

}  // namespace xl
