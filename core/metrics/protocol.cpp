#include "core/metrics/protocol.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>

#include "core/error.hpp"

namespace xl {

std::string Protocol::name() const {
    switch (kind) {
        case ProtocolKind::All: return "all";
        case ProtocolKind::Half: return "half";
        case ProtocolKind::Sliding: return "sliding:" + std::to_string(stride);
    }
    return "?";
}

std::string Protocol::description() const {
    switch (kind) {
        case ProtocolKind::All:
            return "consecutive windows of L tokens; every token but the window's first is scored";
        case ProtocolKind::Half:
            return "llama.cpp perplexity: consecutive chunks of L tokens, first token replaced by BOS, "
                   "tokens L/2+1..L-1 scored";
        case ProtocolKind::Sliding:
            return "sliding window of L tokens, stride " + std::to_string(stride) +
                   " (PI/YaRN papers); each token scored once, in the first window that reaches it";
    }
    return "";
}

Protocol parse_protocol(const std::string& text) {
    Protocol p;
    if (text == "all") return p;
    if (text == "half") {
        p.kind = ProtocolKind::Half;
        return p;
    }
    const std::string prefix = "sliding:";
    if (text.rfind(prefix, 0) == 0) {
        const char* b = text.data() + prefix.size();
        const char* e = text.data() + text.size();
        int s = 0;
        auto [ptr, ec] = std::from_chars(b, e, s);
        if (ec == std::errc() && ptr == e && s > 0) {
            p.kind = ProtocolKind::Sliding;
            p.stride = s;
            return p;
        }
        throw Error(ErrorKind::BadArgument, text, "the sliding stride must be a positive integer (e.g. sliding:256)");
    }
    throw Error(ErrorKind::BadArgument, text, "unknown perplexity protocol (expected all, half or sliding:S)");
}

namespace {

std::vector<ScoreWindow> chunk_windows(int64_t n, int length, int first_target, bool bos) {
    std::vector<ScoreWindow> out;
    for (int64_t start = 0; start + length <= n; start += length)
        out.push_back({start, length, first_target, bos});
    return out;
}

std::vector<ScoreWindow> sliding_windows(int64_t n, int length, int stride) {
    std::vector<ScoreWindow> out;
    if (n < length) return out;
    int64_t prev_end = 0;
    for (int64_t begin = 0; begin < n; begin += stride) {
        int64_t end = std::min<int64_t>(begin + length, n);
        int win = int(end - begin);
        int64_t new_targets = end - prev_end;  // tokens not scored by an earlier window
        int first = int(std::max<int64_t>(1, win - new_targets));
        if (first < win) out.push_back({begin, win, first, false});
        prev_end = end;
        if (end == n) break;
    }
    return out;
}

}  // namespace

std::vector<ScoreWindow> plan_windows(const Protocol& protocol, int64_t n_tokens, int length, int max_windows) {
    assert(length >= 2);
    std::vector<ScoreWindow> out;
    switch (protocol.kind) {
        case ProtocolKind::All: out = chunk_windows(n_tokens, length, 1, false); break;
        case ProtocolKind::Half: out = chunk_windows(n_tokens, length, length / 2 + 1, true); break;
        case ProtocolKind::Sliding:
            assert(protocol.stride > 0);
            out = sliding_windows(n_tokens, length, protocol.stride);
            break;
    }
    if (max_windows > 0 && int(out.size()) > max_windows) out.resize(size_t(max_windows));
    return out;
}

}  // namespace xl
