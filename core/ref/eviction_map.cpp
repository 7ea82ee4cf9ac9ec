// The kept-token map (see eviction_map.hpp).
#include "core/ref/eviction_map.hpp"

#include <algorithm>
#include <cmath>

namespace xl {

EvictionMapBuilder::EvictionMapBuilder(int tokens, int grid)
    : tokens_(std::max(tokens, 1)), grid_(std::clamp(grid, 1, std::max(tokens, 1))),
      sum_(size_t(grid_) * size_t(grid_), 0.0), count_(sum_.size(), 0) {}

void EvictionMapBuilder::add_chunk(int s, int n, const std::vector<int>& orig, const float* probs) {
    const size_t keys = orig.size();
    for (int t = 0; t < n; ++t) {
        const size_t row = size_t(block(s + t)) * size_t(grid_);
        for (size_t j = 0; j < keys; ++j) {
            if (orig[j] > s + t) continue;
            const size_t cell = row + size_t(block(orig[j]));
            sum_[cell] += probs[size_t(t) * keys + j];
            ++count_[cell];
        }
    }
}

std::vector<float> EvictionMapBuilder::means() const {
    std::vector<float> out(sum_.size(), NAN);
    for (size_t c = 0; c < sum_.size(); ++c)
        if (count_[c] > 0) out[c] = float(sum_[c] / double(count_[c]));
    return out;
}

EvictionProbe::EvictionProbe(const EvictionRun& run, int tokens, int n_heads)
    : head_(run.probe_head), heads_(n_heads), tokens_(tokens), grid_(run.map_grid > 0),
      map_(grid_ ? tokens : 1, grid_ ? run.map_grid : 1) {
    if (run.probe_layer >= 0 && !grid_) attention_.assign(size_t(tokens) * size_t(tokens), 0.f);
}

void EvictionProbe::add_chunk(int s, int n, const std::vector<int>& kept, const std::vector<int>& orig,
                              const float* probs) {
    kept_.push_back(kept);
    const size_t keys = orig.size(), cells = size_t(n) * keys;
    std::vector<float> rows(cells, 0.f);  // the probe head's attention (or the mean over heads) [t][j]
    for (int h = 0; h < heads_; ++h) {
        if (head_ != -1 && head_ != h) continue;
        const double share = head_ == -1 ? 1.0 / heads_ : 1.0;
        for (size_t e = 0; e < cells; ++e) rows[e] += float(share * probs[size_t(h) * cells + e]);
    }
    if (grid_) {
        map_.add_chunk(s, n, orig, rows.data());
        return;
    }
    for (int t = 0; t < n; ++t)
        for (size_t j = 0; j < keys; ++j) attention_[size_t(s + t) * size_t(tokens_) + size_t(orig[j])] = rows[size_t(t) * keys + j];
}

void EvictionProbe::finish(EvictionResult& result) {
    if (kept_.empty()) return;
    result.kept_before_chunk = std::move(kept_);
    if (grid_) {
        result.map = map_.means();
        result.map_grid = map_.grid();
    } else {
        result.attention = std::move(attention_);
    }
}

}  // namespace xl
