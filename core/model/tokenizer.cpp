#include "core/model/tokenizer.hpp"

namespace xl {

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    std::string out;
    int prev = -1;
    for (int id : ids) {
        out += decode_token(prev, id);
        prev = id;
    }
    return out;
}

}  // namespace xl
