// Training-time position samplers (sources in training_positions.hpp).
#include "core/posenc/training_positions.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace xl {
namespace {

// SplitMix64: a fixed, platform-independent generator (std distributions are not portable).
struct Rng {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n), n >= 1, by rejection (no modulo bias).
    uint64_t below(uint64_t n) {
        const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
        uint64_t x;
        do x = next(); while (x >= limit);
        return x % n;
    }
    int range(int lo, int hi) { return lo + int(below(uint64_t(hi - lo) + 1)); }  // uniform in [lo, hi]
};

// `count` sorted distinct values from [lo, hi) (Floyd's subset sampling, then sorted).
std::vector<int> sorted_subset(Rng& rng, int lo, int hi, int count) {
    std::vector<int> picked;
    std::vector<char> used(size_t(hi - lo), 0);
    for (int j = hi - lo - count; j < hi - lo; ++j) {
        int t = int(rng.below(uint64_t(j) + 1));
        if (used[size_t(t)]) t = j;
        used[size_t(t)] = 1;
        picked.push_back(lo + t);
    }
    std::sort(picked.begin(), picked.end());
    return picked;
}

PositionSample sample_pose(Rng& rng, const TrainingPositionOptions& o) {
    PositionSample s;
    s.chunk_begin = sorted_subset(rng, 1, o.train, o.chunks - 1);  // cut points: every chunk >= 1 token
    s.chunk_begin.insert(s.chunk_begin.begin(), 0);
    int u = 0;
    for (size_t i = 0; i < s.chunk_begin.size(); ++i) {
        if (i > 0) u = rng.range(u, o.target - o.train);  // u_i ~ U{u_{i−1}, ..., T − n}
        s.skip.push_back(u);
        const int end = i + 1 < s.chunk_begin.size() ? s.chunk_begin[i + 1] : o.train;
        for (int t = s.chunk_begin[i]; t < end; ++t) s.ids.push_back(t + u);
    }
    return s;
}

}  // namespace

const char* to_string(TrainingSampler s) {
    switch (s) {
        case TrainingSampler::Plain: return "plain";
        case TrainingSampler::RandPE: return "randpe";
        case TrainingSampler::PoSE: return "pose";
    }
    return "?";
}

TrainingSampler parse_training_sampler(const std::string& text, const std::string& what) {
    for (TrainingSampler s : {TrainingSampler::Plain, TrainingSampler::RandPE, TrainingSampler::PoSE})
        if (text == to_string(s)) return s;
    throw Error(ErrorKind::BadArgument, what + " " + text, "expected plain, randpe or pose");
}

void check_training_positions(const TrainingPositionOptions& o) {
    if (o.train < 1) throw Error(ErrorKind::BadArgument, "--train " + std::to_string(o.train), "must be >= 1");
    if (o.target < o.train)
        throw Error(ErrorKind::BadArgument, "--target " + std::to_string(o.target),
                    "must be >= the training window " + std::to_string(o.train));
    if (o.target > (1 << 24))
        throw Error(ErrorKind::BadArgument, "--target " + std::to_string(o.target), "must be <= 16777216");
    if (o.chunks < 1 || o.chunks > o.train)
        throw Error(ErrorKind::BadArgument, "--chunks " + std::to_string(o.chunks),
                    "must be between 1 and the training window " + std::to_string(o.train));
}

std::vector<PositionSample> sample_training_positions(const TrainingPositionOptions& o, int count) {
    check_training_positions(o);
    std::vector<PositionSample> out;
    for (int k = 0; k < count; ++k) {
        Rng rng{o.seed * 0x9E3779B97F4A7C15ull + uint64_t(k) * 0xD1B54A32D192ED03ull};
        switch (o.method) {
            case TrainingSampler::Plain: {
                PositionSample s{{}, {0}, {0}};
                for (int i = 0; i < o.train; ++i) s.ids.push_back(i);
                out.push_back(std::move(s));
                break;
            }
            case TrainingSampler::RandPE:
                out.push_back({sorted_subset(rng, 0, o.target, o.train), {0}, {0}});
                break;
            case TrainingSampler::PoSE: out.push_back(sample_pose(rng, o)); break;
        }
    }
    return out;
}

std::vector<double> distance_coverage(const std::vector<PositionSample>& samples, int target) {
    std::vector<double> cov(size_t(std::max(target, 0)), 0.0);
    for (const PositionSample& s : samples)
        for (size_t q = 0; q < s.ids.size(); ++q)
            for (size_t k = 0; k <= q; ++k) {
                const int d = s.ids[q] - s.ids[k];
                if (d >= 0 && d < target) cov[size_t(d)] += 1;
            }
    if (!samples.empty())
        for (double& c : cov) c /= double(samples.size());
    return cov;
}

}  // namespace xl
