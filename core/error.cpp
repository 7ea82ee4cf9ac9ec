#include "core/error.hpp"

namespace xl {

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::BadFile: return "bad file";
        case ErrorKind::Unsupported: return "unsupported";
        case ErrorKind::BadArgument: return "bad argument";
        case ErrorKind::Mismatch: return "mismatch";
        case ErrorKind::OutOfMemory: return "out of memory";
        case ErrorKind::Device: return "device error";
    }
    return "error";
}

}  // namespace xl
