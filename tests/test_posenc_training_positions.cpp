// Training-time position samplers (core/posenc/training_positions.hpp) and their figures:
// Randomized PE ids are sorted, distinct and inside [0, T); PoSE keeps N consecutive chunks with
// non-decreasing skips; coverage of plain training is n − d; both samplers reach distance T − 1.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/posenc/training_positions.hpp"
#include "core/session/figures.hpp"

using xl::TrainingSampler;

TEST_CASE("posenc training positions: Randomized PE ids are sorted, distinct, in range and seeded") {
    xl::TrainingPositionOptions o{TrainingSampler::RandPE, 64, 1024, 2, 7};
    const auto s = xl::sample_training_positions(o, 20);
    REQUIRE(s.size() == 20);
    for (const auto& p : s) {
        REQUIRE(p.ids.size() == 64);
        for (size_t i = 1; i < p.ids.size(); ++i) CHECK(p.ids[i] > p.ids[i - 1]);
        CHECK(p.ids.front() >= 0);
        CHECK(p.ids.back() < 1024);
    }
    CHECK(s[0].ids != s[1].ids);
    CHECK(xl::sample_training_positions(o, 3)[2].ids == s[2].ids);  // sample k does not depend on count
    o.seed = 8;
    CHECK(xl::sample_training_positions(o, 1)[0].ids != s[0].ids);
    o.target = o.train;  // T = n: every id is used
    const auto full = xl::sample_training_positions(o, 1)[0].ids;
    for (int i = 0; i < 64; ++i) CHECK(full[size_t(i)] == i);
}

TEST_CASE("posenc training positions: PoSE chunks are consecutive with non-decreasing skips") {
    for (int chunks : {1, 2, 3}) {
        xl::TrainingPositionOptions o{TrainingSampler::PoSE, 32, 256, chunks, 3};
        for (const auto& p : xl::sample_training_positions(o, 50)) {
            REQUIRE(p.chunk_begin.size() == size_t(chunks));
            REQUIRE(p.skip.size() == size_t(chunks));
            CHECK(p.chunk_begin[0] == 0);
            CHECK(p.skip[0] == 0);
            for (int i = 1; i < chunks; ++i) {
                CHECK(p.chunk_begin[size_t(i)] > p.chunk_begin[size_t(i) - 1]);
                CHECK(p.skip[size_t(i)] >= p.skip[size_t(i) - 1]);
            }
            CHECK(p.skip.back() <= 256 - 32);
            REQUIRE(p.ids.size() == 32);
            size_t c = 0;
            for (int t = 0; t < 32; ++t) {
                while (c + 1 < p.chunk_begin.size() && t >= p.chunk_begin[c + 1]) ++c;
                CHECK(p.ids[size_t(t)] == t + p.skip[c]);  // eq. 4: u_i + st_i + offset
            }
            CHECK(p.ids.back() < 256);
        }
    }
    CHECK_THROWS_AS(xl::sample_training_positions({TrainingSampler::PoSE, 32, 16, 2, 1}, 1), xl::Error);
    CHECK_THROWS_AS(xl::sample_training_positions({TrainingSampler::PoSE, 32, 64, 33, 1}, 1), xl::Error);
    CHECK_THROWS_AS(xl::parse_training_sampler("posee"), xl::Error);
}

TEST_CASE("posenc training positions: coverage of plain training and reach of the samplers") {
    const auto plain = xl::distance_coverage(
        xl::sample_training_positions({TrainingSampler::Plain, 16, 64, 2, 1}, 1), 64);
    REQUIRE(plain.size() == 64);
    for (int d = 0; d < 64; ++d) CHECK(plain[size_t(d)] == (d < 16 ? 16 - d : 0));
    for (TrainingSampler m : {TrainingSampler::RandPE, TrainingSampler::PoSE}) {
        const auto cov = xl::distance_coverage(xl::sample_training_positions({m, 8, 32, 2, 5}, 3000), 32);
        CHECK(cov[0] == doctest::Approx(8));  // every token with itself
        for (int d = 0; d < 32; ++d) CHECK_MESSAGE(cov[size_t(d)] > 0, d);  // every distance up to T − 1
    }
}

TEST_CASE("posenc training positions: figures have one series per sample and three coverage series") {
    xl::TrainingPositionOptions o{TrainingSampler::PoSE, 64, 512, 2, 1};
    const auto f = xl::figure_training_positions(o, xl::sample_training_positions(o, 5));
    CHECK(f.id == "training_positions_pose");
    REQUIRE(f.series.size() == 5);
    CHECK(f.series[0].x.size() == 64 + 1);  // 64 points + one break at the skip
    CHECK(f.meta.at("target_length") == "512");
    const auto c = xl::figure_training_coverage(o, 16);
    REQUIRE(c.series.size() == 3);
    CHECK(c.series[0].name == "plain");
    CHECK(c.series[1].name == "randpe");
    CHECK(c.series[2].name == "pose");
    for (const auto& s : c.series) CHECK(s.x.size() == 512);
}
