// GPU matmul and embedding vs their CPU twins (core/ref/ops.hpp) for every weight type of
// core/model/tensor_types.cpp, over rows that are not multiples of the 16-row tile, token counts
// that are not multiples of the 512-token tile (every tiling of GpuOps::matmul_tiling: 1, 2, 4, 8
// tokens per lane on 8 token lanes, then 16, 32, 64 lanes; row groups past the last row), and
// cols = 576 and 640 (SmolLM2, Gemma 3) where
// the block allows; fused accumulate and offsets (the chunked classifier).
// Tolerance (matmul): |gpu − cpu| ≤ 1e-5 · Σ_c |W[r][c]·x[c]| + 1e-6 (float accumulation in a
// different order; both dequantise to the same floats). Embedding: exact.
#include <doctest/doctest.h>

#include "core/forward/gpu_ops.hpp"
#include "core/ref/ops.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

// Worst |gpu − cpu| / (Σ|w·x| + 0.1) over outputs: ≤ 1e-5 passes.
double matmul_error(const test::HostTensor& w, const std::vector<float>& x, int n, const std::vector<float>& got,
                    const std::vector<float>& want) {
    const std::vector<float> wf = dequantize(w.tensor);
    const int64_t rows = w.tensor.rows, cols = w.tensor.cols;
    double worst = 0;
    for (int t = 0; t < n; ++t)
        for (int64_t r = 0; r < rows; ++r) {
            double mag = 0;
            for (int64_t c = 0; c < cols; ++c) mag += std::fabs(double(wf[size_t(r * cols + c)]) * x[size_t(t * cols + c)]);
            const size_t i = size_t(t * rows + r);
            worst = std::max(worst, std::fabs(double(got[i]) - double(want[i])) / (mag + 0.1));
        }
    return worst;
}

}  // namespace

TEST_CASE("gpu ops: matmul matches ref::matmul for every weight type") {
    auto ctx = test::gpu_context();
    struct Shape { int n, rows; };
    // tilings (tokens per lane × lanes): 1×8, 2×8, 4×8, 8×8 (two row workgroups), 8×16, 8×32, 8×64 twice
    const Shape shapes[] = {{1, 1}, {9, 70}, {30, 17}, {64, 300}, {100, 19}, {256, 5}, {530, 3}};
    uint32_t seed = 1;
    for (const TensorTypeInfo& type : tensor_types()) {
        int tested = 0;
        for (int cols : {64, 576, 640, 2048}) {
            if (cols % type.block_elems != 0) continue;
            for (const Shape& s : shapes) {
                CAPTURE(s.n); CAPTURE(s.rows); CAPTURE(cols); CAPTURE(type.name);
                const auto w = test::random_tensor(type.type, s.rows, cols, seed++);
                const auto x = test::random_floats(size_t(s.n) * cols, seed++);
                std::vector<float> want(size_t(s.n) * s.rows);
                ref::matmul(w.tensor, x.data(), s.n, want.data());

                GpuTensor gw = upload_tensor(*ctx, w.tensor);
                gpu::Buffer gx = test::to_gpu(x), gy = test::gpu_floats(want.size());
                gpu::Recorder rec(*ctx);
                GpuOps(*ctx, rec).matmul(gw, gx, gy, s.n);
                rec.submit();
                CHECK(matmul_error(w, x, s.n, test::from_gpu(gy, want.size()), want) <= 1e-5);
                ++tested;
            }
        }
        CHECK(tested >= 3);
    }
    test::check_validation_clean(*ctx);
}

// Whole cooperative-matrix tiles (64×64 and 128×128, shaders/matmul_coop.comp) with ragged edges,
// for float, legacy and k-quant weights (every type has a cooperative variant: the weights are
// dequantised into the tiles); on devices without cooperative matrices (lavapipe) the same shapes
// exercise the scalar tiles. Same tolerance.
TEST_CASE("gpu ops: matmul over whole cooperative-matrix tiles with ragged edges") {
    auto ctx = test::gpu_context();
    struct Shape { int n, rows; };
    uint32_t seed = 101;
    for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
                            TensorType::Q8_0, TensorType::Q4_K, TensorType::Q6_K, TensorType::IQ4_XS})
        for (const Shape& s : {Shape{200, 300}, Shape{130, 129}}) {
            CAPTURE(s.n); CAPTURE(s.rows); CAPTURE(to_string(type));
            const int cols = type_info(type).block_elems > 32 ? 768 : 576;  // k-quants: whole 256-blocks
            const auto w = test::random_tensor(type, s.rows, cols, seed++);
            const auto x = test::random_floats(size_t(s.n) * cols, seed++);
            std::vector<float> want(size_t(s.n) * s.rows);
            ref::matmul(w.tensor, x.data(), s.n, want.data());
            GpuTensor gw = upload_tensor(*ctx, w.tensor);
            gpu::Buffer gx = test::to_gpu(x), gy = test::gpu_floats(want.size());
            gpu::Recorder rec(*ctx);
            GpuOps(*ctx, rec).matmul(gw, gx, gy, s.n);
            rec.submit();
            CHECK(matmul_error(w, x, s.n, test::from_gpu(gy, want.size()), want) <= 1e-5);
        }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: matmul tiling keeps 8 tokens per lane down to 64 tokens and covers every input") {
    using T = GpuOps::MatmulTiling;
    auto tiling = [](int n) { const T t = GpuOps::matmul_tiling(n); return std::make_pair(t.tokens_per_lane, t.token_lanes); };
    CHECK(tiling(1) == std::make_pair(1u, 8u));
    CHECK(tiling(9) == std::make_pair(2u, 8u));
    CHECK(tiling(64) == std::make_pair(8u, 8u));
    CHECK(tiling(65) == std::make_pair(8u, 16u));
    CHECK(tiling(512) == std::make_pair(8u, 64u));
    CHECK(tiling(100000) == std::make_pair(8u, 64u));
    for (int n = 1; n <= 600; ++n) {
        const T t = GpuOps::matmul_tiling(n);
        CHECK((t.tokens() >= uint32_t(n) || t.tokens() == GpuOps::kMatmulTokens));
        CHECK(t.rows() * t.token_lanes == uint32_t(XL_MATMUL_ROWS * XL_MATMUL_GROUP));
    }
}

TEST_CASE("gpu ops: quantised weights stay packed on the GPU (memory ≈ file size)") {
    auto ctx = test::gpu_context();
    for (const TensorTypeInfo& type : tensor_types()) {
        CAPTURE(type.name);
        const int64_t rows = 8, cols = 512;
        const auto w = test::random_tensor(type.type, rows, cols, 5);
        const GpuTensor g = upload_tensor(*ctx, w.tensor);
        const double ratio = double(g.bytes()) / double(w.tensor.nbytes());
        CHECK(ratio >= 1.0);
        CHECK(ratio <= 1.12);  // the 2 padding bytes of an 18-byte block: 20/18
    }
}

TEST_CASE("gpu ops: matmul accumulate and offsets (classifier chunks)") {
    auto ctx = test::gpu_context();
    const int n = 21, rows = 50, cols = 64, t0 = 5, chunk = 11;
    const auto w = test::make_tensor(TensorType::F16, rows, cols, test::random_floats(size_t(rows) * cols, 7));
    const auto x = test::random_floats(size_t(n) * cols, 8);
    const auto y0 = test::random_floats(size_t(n) * rows, 9);
    std::vector<float> prod(size_t(n) * rows);
    ref::matmul(w.tensor, x.data(), n, prod.data());

    GpuTensor gw = upload_tensor(*ctx, w.tensor);
    gpu::Buffer gx = test::to_gpu(x), gacc = test::to_gpu(y0), gchunk = test::gpu_floats(size_t(chunk) * rows);
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    ops.matmul(gw, gx, gacc, n, /*accumulate*/ true);
    ops.matmul(gw, gx, gchunk, chunk, false, uint32_t(t0 * cols), 0);
    rec.submit();
    std::vector<float> want_acc(y0), want_chunk(prod.begin() + t0 * rows, prod.begin() + (t0 + chunk) * rows);
    ref::add_inplace(want_acc.data(), prod.data(), int(prod.size()));
    CHECK(test::max_abs_diff(test::from_gpu(gacc, want_acc.size()), want_acc) < 1e-4);
    CHECK(test::max_abs_diff(test::from_gpu(gchunk, want_chunk.size()), want_chunk) < 1e-4);
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: embedding matches ref::embedding for every table type") {
    auto ctx = test::gpu_context();
    const int vocab = 45, n = 300;
    std::vector<int> tokens(n);
    for (int i = 0; i < n; ++i) tokens[size_t(i)] = (i * 7 + 3) % vocab;
    for (const TensorTypeInfo& type : tensor_types()) {
        for (int dim : {96, 576, 640, 512}) {
            if (dim % type.block_elems != 0) continue;
            CAPTURE(type.name); CAPTURE(dim);
            const auto table = test::random_tensor(type.type, vocab, dim, 11);
            std::vector<float> want(size_t(n) * dim);
            ref::embedding(table.tensor, tokens.data(), n, want.data());
            GpuTensor gt = upload_tensor(*ctx, table.tensor);
            gpu::Buffer gtok = test::to_gpu(tokens), gout = test::gpu_floats(want.size());
            gpu::Recorder rec(*ctx);
            GpuOps(*ctx, rec).embedding(gt, gtok, gout, n);
            rec.submit();
            CHECK(test::max_abs_diff(test::from_gpu(gout, want.size()), want) == 0.0);
        }
    }
    test::check_validation_clean(*ctx);
}
