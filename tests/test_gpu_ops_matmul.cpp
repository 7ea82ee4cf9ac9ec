// GPU matmul and embedding vs their CPU twins (core/ref/ops.hpp) for F32/F16/BF16/Q8_0 weights,
// sizes that are not multiples of the workgroup (64 rows × 8 tokens), fused accumulate and
// offsets (the chunked classifier). Tolerance: 1e-4 absolute on values of magnitude ≲ 10 on the
// fp32 path; on the cooperative-matrix path (activations and fp32 weights as two fp16 terms,
// fp32 accumulation) each output may differ by ε·Σ_c |W[r][c]·x[c]| + 1e-5, with ε = 2⁻¹¹ for
// Q8_0 (d·q rounded to fp16) and 2⁻²⁰ for the types whose weights are exact in two fp16 terms.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/forward/gpu_ops.hpp"
#include "core/ref/ops.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

namespace {

// Largest |got − want| over the outputs, in units of each output's tolerance (≤ 1 passes).
double tolerance_ratio(gpu::Context& ctx, const Tensor& w, const std::vector<float>& x, int n,
                       const std::vector<float>& got, const std::vector<float>& want) {
    if (!ctx.has_coop_matrix() || w.cols % 32 != 0) return test::max_abs_diff(got, want) / 1e-4;
    const std::vector<float> wf = dequantize(w);
    const double eps = std::ldexp(1.0, w.type == TensorType::Q8_0 ? -11 : -20);
    double worst = 0;
    for (int t = 0; t < n; ++t)
        for (int64_t r = 0; r < w.rows; ++r) {
            double mag = 0;
            for (int64_t c = 0; c < w.cols; ++c) mag += std::fabs(double(wf[size_t(r * w.cols + c)]) * x[size_t(t * w.cols + c)]);
            const size_t i = size_t(t * w.rows + r);
            worst = std::max(worst, std::fabs(double(got[i]) - want[i]) / (eps * mag + 1e-5));
        }
    return worst;
}

}  // namespace

TEST_CASE("gpu ops: matmul matches ref::matmul for every weight type") {
    auto ctx = test::gpu_context();
    struct Shape { int n, rows, cols; };
    // The last two shapes fill the cooperative-matrix tiles (64×64 and 128×128) with ragged edges.
    const Shape shapes[] = {{1, 1, 32}, {13, 70, 64}, {37, 130, 96}, {9, 64, 172}, {200, 300, 576}, {130, 129, 64}};
    const TensorType types[] = {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0};
    uint32_t seed = 1;
    for (const Shape& s : shapes) {
        for (TensorType type : types) {
            if (type == TensorType::Q8_0 && s.cols % 32 != 0) continue;
            CAPTURE(s.n); CAPTURE(s.rows); CAPTURE(s.cols); CAPTURE(to_string(type));
            const auto w = test::make_tensor(type, s.rows, s.cols, test::random_floats(size_t(s.rows) * s.cols, seed++));
            const auto x = test::random_floats(size_t(s.n) * s.cols, seed++);
            std::vector<float> want(size_t(s.n) * s.rows);
            ref::matmul(w.tensor, x.data(), s.n, want.data());

            GpuTensor gw = upload_tensor(*ctx, w.tensor);
            gpu::Buffer gx = test::to_gpu(x), gy = test::gpu_floats(want.size());
            gpu::Recorder rec(*ctx);
            GpuOps(*ctx, rec).matmul(gw, gx, gy, s.n);
            rec.submit();
            CHECK(tolerance_ratio(*ctx, w.tensor, x, s.n, test::from_gpu(gy, want.size()), want) <= 1.0);
        }
    }
    test::check_validation_clean(*ctx);
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
    const std::vector<float> x_chunk(x.begin() + t0 * cols, x.begin() + (t0 + chunk) * cols);
    CHECK(tolerance_ratio(*ctx, w.tensor, x, n, test::from_gpu(gacc, want_acc.size()), want_acc) <= 1.0);
    CHECK(tolerance_ratio(*ctx, w.tensor, x_chunk, chunk, test::from_gpu(gchunk, want_chunk.size()), want_chunk) <= 1.0);
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: embedding matches ref::embedding for every table type") {
    auto ctx = test::gpu_context();
    const int vocab = 45, dim = 96, n = 300;
    std::vector<int> tokens(n);
    for (int i = 0; i < n; ++i) tokens[size_t(i)] = (i * 7 + 3) % vocab;
    for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0}) {
        CAPTURE(to_string(type));
        const auto table = test::make_tensor(type, vocab, dim, test::random_floats(size_t(vocab) * dim, 11));
        std::vector<float> want(size_t(n) * dim);
        ref::embedding(table.tensor, tokens.data(), n, want.data());
        GpuTensor gt = upload_tensor(*ctx, table.tensor);
        gpu::Buffer gtok = test::to_gpu(tokens), gout = test::gpu_floats(want.size());
        gpu::Recorder rec(*ctx);
        GpuOps(*ctx, rec).embedding(gt, gtok, gout, n);
        rec.submit();
        CHECK(test::max_abs_diff(test::from_gpu(gout, want.size()), want) == 0.0);
    }
    test::check_validation_clean(*ctx);
}
