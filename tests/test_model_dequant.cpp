// Weight types: names, row sizes, and dequantisation against hand-built F16/BF16/Q8_0 data.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/model/half.hpp"
#include "core/model/model.hpp"

namespace {

xl::Tensor tensor(xl::TensorType type, int64_t rows, int64_t cols, const std::vector<uint8_t>& bytes) {
    xl::Tensor t;
    t.type = type;
    t.rows = rows;
    t.cols = cols;
    t.data = bytes.data();
    REQUIRE(t.nbytes() == bytes.size());
    return t;
}

void put16(std::vector<uint8_t>& b, uint16_t v) { b.push_back(uint8_t(v)); b.push_back(uint8_t(v >> 8)); }

}  // namespace

TEST_CASE("model: tensor type names and row sizes") {
    CHECK(std::string(xl::to_string(xl::TensorType::F32)) == "F32");
    CHECK(std::string(xl::to_string(xl::TensorType::Q8_0)) == "Q8_0");
    CHECK(xl::row_bytes(xl::TensorType::F32, 10) == 40);
    CHECK(xl::row_bytes(xl::TensorType::F16, 10) == 20);
    CHECK(xl::row_bytes(xl::TensorType::BF16, 10) == 20);
    CHECK(xl::row_bytes(xl::TensorType::Q8_0, 64) == 68);
}

TEST_CASE("model: F16 dequantisation of hand-built halves") {
    std::vector<uint8_t> b;
    const uint16_t halves[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x3555, 0x7C00, 0x0400};
    for (uint16_t h : halves) put16(b, h);
    const xl::Tensor t = tensor(xl::TensorType::F16, 2, 4, b);
    const std::vector<float> v = xl::dequantize(t);
    CHECK(v[0] == 1.0f);
    CHECK(v[1] == -2.0f);
    CHECK(v[2] == 65504.0f);
    CHECK(v[3] == std::ldexp(1.0f, -24));          // smallest subnormal
    CHECK((v[4] == 0.0f && std::signbit(v[4])));   // -0
    CHECK(v[5] == 0.333251953125f);
    CHECK(v[6] == std::numeric_limits<float>::infinity());
    CHECK(v[7] == std::ldexp(1.0f, -14));          // smallest normal
    float row1[4];
    xl::dequantize_row(t, 1, row1);
    CHECK(std::memcmp(row1, v.data() + 4, sizeof row1) == 0);
}

TEST_CASE("model: every finite half survives f16 -> f32 -> f16") {
    int bad = 0;
    for (uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF)) continue;  // NaN payloads
        if (xl::f32_to_f16(xl::f16_to_f32(uint16_t(h))) != h) ++bad;
    }
    CHECK(bad == 0);
    CHECK(xl::f32_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3C00);  // tie rounds to even
    CHECK(xl::f32_to_f16(1e6f) == 0x7C00);                          // overflow -> inf
}

TEST_CASE("model: BF16 dequantisation") {
    std::vector<uint8_t> b;
    for (uint16_t h : {0x3F80, 0xC0A0, 0x4049, 0x0000}) put16(b, uint16_t(h));
    const std::vector<float> v = xl::dequantize(tensor(xl::TensorType::BF16, 1, 4, b));
    CHECK(v == std::vector<float>{1.0f, -5.0f, 3.140625f, 0.0f});
    CHECK(xl::f32_to_bf16(3.14159f) == 0x4049);
}

TEST_CASE("model: Q8_0 dequantisation of hand-built blocks") {
    // Two rows of 64 = two blocks each; block k has scale d_k and q[i] = i - 16 (+k).
    std::vector<uint8_t> b;
    const uint16_t scales[] = {0x3800 /*0.5*/, 0x4000 /*2*/, 0xB400 /*-0.25*/, 0x2E66 /*~0.1*/};
    for (int k = 0; k < 4; ++k) {
        put16(b, scales[k]);
        for (int i = 0; i < 32; ++i) b.push_back(uint8_t(int8_t(i - 16 + k)));
    }
    b[34 + 2] = uint8_t(int8_t(-128));  // first q of block 1: the extreme value
    const xl::Tensor t = tensor(xl::TensorType::Q8_0, 2, 64, b);
    const std::vector<float> v = xl::dequantize(t);
    REQUIRE(v.size() == 128);
    CHECK(v[0] == 0.5f * -16);
    CHECK(v[31] == 0.5f * 15);
    CHECK(v[32] == 2.0f * -128);
    CHECK(v[33] == 2.0f * (1 - 16 + 1));
    CHECK(v[63] == 2.0f * (31 - 16 + 1));
    CHECK(v[64] == -0.25f * (0 - 16 + 2));
    const float d3 = xl::f16_to_f32(0x2E66);
    CHECK(d3 == doctest::Approx(0.1f).epsilon(1e-3));
    CHECK(v[127] == d3 * float(31 - 16 + 3));
}
