// Typed user errors (DESIGN.md #14). Programmer errors assert; anything a user can cause —
// a bad file, an unsupported architecture, a context too long for memory — throws xl::Error,
// which the CLI prints on stderr with exit code 2 and the app shows in a modal.
//
//   throw xl::Error(xl::ErrorKind::BadFile, path, "truncated tensor data for 'blk.0.attn_q.weight'");
//   -> what(): "<path>: truncated tensor data for 'blk.0.attn_q.weight'"
#pragma once
#include <stdexcept>
#include <string>

namespace xl {

enum class ErrorKind {
    BadFile,          // truncated, wrong magic, foreign or corrupt file
    Unsupported,      // unknown architecture, tensor type, or model feature
    BadArgument,      // a malformed method spec, length list, preset value, ...
    Mismatch,         // e.g. a tokenizer that does not match the model's vocabulary
    OutOfMemory,      // a request that the device (or host) memory cannot hold
    Device,           // Vulkan failure that is not a programmer error (no device, lost device)
};

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
public:
    // `subject` names what the error is about (usually a file path; may be empty).
    Error(ErrorKind kind, std::string subject, const std::string& message)
        : std::runtime_error(subject.empty() ? message : subject + ": " + message),
          kind_(kind), subject_(std::move(subject)) {}
    ErrorKind kind() const { return kind_; }
    const std::string& subject() const { return subject_; }

private:
    ErrorKind kind_;
    std::string subject_;
};

}  // namespace xl
