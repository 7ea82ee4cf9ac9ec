// minbpe tokenizers (byte-level BPE: 256 byte tokens, then one token per merge) read from a
// "minbpe v1" tokenizer.model: line 1 "minbpe v1", line 2 the split pattern (empty for the
// BasicTokenizer, the GPT-2/GPT-4 pattern for the RegexTokenizer), line 3 the number of special
// tokens followed by "<text> <id>" lines, then one merge "<id1> <id2>" per line (merge k makes
// token 256 + k). Encoding follows minbpe's encode_ordinary: split, then inside each chunk merge
// the adjacent pair with the lowest merge index until none applies. No BOS/EOS tokens.
//
//   auto tok = xl::load_minbpe_tokenizer("models/alilama/tokenizer.model");
//   std::vector<int> ids = tok->encode(" STARTSTORY Once upon a time", false);
//   std::string text;  for (int id : ids) text += tok->decode_token(-1, id);   // round-trips
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model/minbpe_split.hpp"
#include "core/model/tokenizer.hpp"

namespace xl {

class MinbpeTokenizer : public Tokenizer {
public:
    // Throws xl::Error(BadFile) for a malformed file, (Unsupported) for an unknown split pattern.
    static std::shared_ptr<MinbpeTokenizer> load(const std::string& path);

    std::vector<int> encode(std::string_view text, bool add_bos) const override;  // add_bos ignored
    // The token's bytes (possibly a partial UTF-8 sequence; concatenation restores the text).
    std::string decode_token(int prev, int token) const override;
    int vocab_size() const override { return int(vocab_.size()); }
    int bos() const override { return -1; }
    int eos() const override { return -1; }
    std::string kind() const override;

    SplitPattern pattern() const { return pattern_; }
    int merge_count() const { return merge_count_; }

private:
    void encode_chunk(std::string_view chunk, std::vector<int>& out) const;
    SplitPattern pattern_ = SplitPattern::None;
    int merge_count_ = 0;
    std::vector<std::string> vocab_;                 // bytes of each token id
    std::unordered_map<uint64_t, int> merges_;       // (id1 << 32 | id2) -> merged id (= rank)
};

std::shared_ptr<MinbpeTokenizer> load_minbpe_tokenizer(const std::string& path);

}  // namespace xl
