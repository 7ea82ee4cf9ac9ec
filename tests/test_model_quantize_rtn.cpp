// The round-to-nearest quantisers of synthetic weights (core/model/quantize_rtn) against the
// dequantisers that read real files: dequantize(quantize(x)) is within the type's own step of x,
// which a wrong bit layout (nibble order, packed 6-bit scales, Q6_K's split high bits) breaks by
// far more. Step bounds per block: Q8_0 d/2; Q4_0 |d|/2 (plus the clamped extreme: |d|);
// Q4_1 d/2 + fp16 rounding of the min; Q4_K and Q6_K a sub-block's step (6-bit scale rounding
// adds up to half a step of the scale, times 15 or 31 codes, so bounds are stated loosely below).
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/error.hpp"
#include "core/model/model.hpp"
#include "core/model/quantize_rtn.hpp"

using namespace xl;

namespace {

// Max |dequantize(quantize(x)) − x| over a row, relative to max |x|.
double round_trip_error(TensorType type, const std::vector<float>& x) {
    std::vector<uint8_t> bytes(row_bytes(type, int64_t(x.size())));
    quantize_row(type, x.data(), int64_t(x.size()), bytes.data());
    Tensor t;
    t.name = "row";
    t.type = type;
    t.rows = 1;
    t.cols = int64_t(x.size());
    t.data = bytes.data();
    std::vector<float> back(x.size());
    dequantize_row(t, 0, back.data());
    double worst = 0, mag = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        worst = std::max(worst, std::fabs(double(back[i]) - x[i]));
        mag = std::max(mag, std::fabs(double(x[i])));
    }
    return worst / mag;
}

}  // namespace

TEST_CASE("quantize rtn: dequantize(quantize(x)) is within each type's step") {
    std::mt19937 rng(7);
    std::normal_distribution<float> normal(0.f, 0.02f);
    std::vector<float> x(1024);
    for (float& v : x) v = normal(rng);
    x[5] = 0.2f;  // an outlier block
    struct Case { TensorType type; double bound; };
    // Relative to max|x| over the row; a 4-bit code's half step is 1/30 of a block's range.
    for (const Case c : {Case{TensorType::F32, 0.0}, Case{TensorType::F16, 1e-3}, Case{TensorType::BF16, 8e-3},
                         Case{TensorType::Q8_0, 1.0 / 254 + 1e-3}, Case{TensorType::Q4_0, 1.0 / 8},
                         Case{TensorType::Q4_1, 1.0 / 15}, Case{TensorType::Q4_K, 1.0 / 8},
                         Case{TensorType::Q6_K, 1.0 / 31}}) {
        const std::string name = to_string(c.type);
        CAPTURE(name);
        CHECK(can_quantize(c.type));
        const double err = round_trip_error(c.type, x);
        MESSAGE(name << ": max |round trip − x| / max|x| = " << err);
        CHECK(err <= c.bound);
    }
}

TEST_CASE("quantize rtn: types without a quantiser and ragged rows are refused") {
    std::vector<float> x(256, 0.5f);
    std::vector<uint8_t> out(1024);
    CHECK_FALSE(can_quantize(TensorType::IQ4_XS));
    CHECK_THROWS_AS(quantize_row(TensorType::IQ4_XS, x.data(), 256, out.data()), Error);
    CHECK_THROWS_AS(quantize_row(TensorType::Q4_K, x.data(), 200, out.data()), Error);
}
