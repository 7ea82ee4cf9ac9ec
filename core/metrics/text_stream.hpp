// Evaluation text as one token stream (issue 2, "eval"): a UTF-8 file of documents, each encoded
// as BOS + tokens, concatenated in file order.
//
//   auto docs = xl::split_documents(text);                   // pure, testable
//   xl::TokenStream s = xl::load_token_stream("valid.txt", *model.tokenizer);
//   s.tokens.size(); s.documents;
//
// Splitting rule: if any line is exactly "<|endoftext|>" (ignoring a trailing '\r' and
// surrounding spaces), those lines separate documents; otherwise runs of blank lines do.
// Each document is stripped of leading/trailing whitespace and empty documents are dropped;
// internal newlines are kept as they are in the file. This matches how the llama2.c TinyStories
// models were trained (each story `strip()`ped and encoded with BOS, stories concatenated, so BOS
// separates stories in the stream).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/model/tokenizer.hpp"

namespace xl {

// How the documents were separated (named in outputs).
enum class DocumentSeparator { EndOfText, BlankLines };
const char* to_string(DocumentSeparator s);  // "<|endoftext|> lines", "blank lines"

struct SplitText {
    std::vector<std::string> documents;  // stripped, non-empty
    DocumentSeparator separator = DocumentSeparator::BlankLines;
};

// Splits `text` into documents by the rule above.
SplitText split_documents(std::string_view text);

// How a model saw one document in training, beyond BOS. Models whose vocabulary has no BOS mark
// stories in text instead (the ALiBi model of ../shared/models/alilama: " STARTSTORY " + story
// with newlines replaced by spaces).
struct DocumentFormat {
    std::string prefix;              // text put before every document (after BOS)
    bool newlines_to_spaces = false; // replace each '\n' inside a document by ' '
    std::string describe() const;    // "BOS + tokens", "BOS + ' STARTSTORY ' + text, newlines as spaces"
};

// Concatenates BOS + encode(prefix + doc) for every document. A tokenizer without BOS
// (bos() < 0) concatenates the encodings alone.
std::vector<int> encode_documents(const std::vector<std::string>& documents, const Tokenizer& tok,
                                  const DocumentFormat& format = {});

struct TokenStream {
    std::string path;              // the text file
    std::vector<int> tokens;       // BOS + doc 0, BOS + doc 1, ...
    int documents = 0;
    int bos = -1;                  // the tokenizer's BOS (-1 = none); starts every document
    DocumentSeparator separator = DocumentSeparator::BlankLines;
    std::string encoding;          // DocumentFormat::describe() as used
    size_t bytes = 0;              // size of the file
};

// Reads the file (Error BadFile naming it when missing, unreadable, a directory or empty of
// documents) and encodes it.
TokenStream load_token_stream(const std::string& path, const Tokenizer& tok, const DocumentFormat& format = {});

}  // namespace xl
