// GPU ops of the block options of real architectures vs their CPU twins (core/ref/ops.hpp):
// GeGLU (Gemma), affine (projection biases, embedding scale), rmsnorm_add (post-norms) and
// rmsnorm over per-head rows (q/k norms). Tolerances: 2e-5 absolute (values of order 1-10).
#include <doctest/doctest.h>

#include "core/forward/gpu_ops.hpp"
#include "core/ref/ops.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

TEST_CASE("gpu ops: geglu matches ref::geglu over a grid of sizes and ranges") {
    auto ctx = test::gpu_context();
    for (int count : {1, 255, 1000, 4099})
        for (float range : {1.f, 8.f, 60.f}) {  // 60: the tanh form's exp would overflow
            CAPTURE(count);
            CAPTURE(range);
            const auto g = test::random_floats(size_t(count), 51, -range, range);
            const auto u = test::random_floats(size_t(count), 52, -2.f, 2.f);
            std::vector<float> want(static_cast<size_t>(count));
            ref::geglu(g.data(), u.data(), count, want.data());
            gpu::Buffer gg = test::to_gpu(g), gu = test::to_gpu(u), o = test::gpu_floats(size_t(count));
            gpu::Recorder rec(*ctx);
            GpuOps(*ctx, rec).geglu(gg, gu, o, count);
            rec.submit();
            CHECK(test::max_abs_diff(test::from_gpu(o, size_t(count)), want) < 2e-5 * range);
        }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: affine (bias rows, scale only) matches ref::affine") {
    auto ctx = test::gpu_context();
    for (int width : {1, 7, 64, 576})
        for (int rows : {1, 3, 33})
            for (float scale : {1.f, 25.298f}) {
                CAPTURE(width);
                CAPTURE(rows);
                const int count = width * rows;
                const auto y = test::random_floats(size_t(count), 61), b = test::random_floats(size_t(width), 62);
                std::vector<float> want_bias(y), want_scale(y);
                ref::affine(want_bias.data(), count, scale, b.data(), width);
                ref::affine(want_scale.data(), count, scale, nullptr, width);
                gpu::Buffer y1 = test::to_gpu(y), y2 = test::to_gpu(y), gb = test::to_gpu(b);
                gpu::Recorder rec(*ctx);
                GpuOps ops(*ctx, rec);
                ops.affine(y1, count, scale, &gb, width);
                ops.affine(y2, count, scale, nullptr, width);
                rec.submit();
                CHECK(test::max_abs_diff(test::from_gpu(y1, size_t(count)), want_bias) < 2e-5 * scale);
                CHECK(test::max_abs_diff(test::from_gpu(y2, size_t(count)), want_scale) < 2e-5 * scale);
            }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: rmsnorm_add and per-head rmsnorm match the reference") {
    auto ctx = test::gpu_context();
    for (int dim : {8, 64, 256, 640})
        for (int n : {1, 5, 37}) {
            CAPTURE(dim);
            CAPTURE(n);
            const auto x = test::random_floats(size_t(n) * dim, 71, -4.f, 4.f);
            const auto w = test::random_floats(size_t(dim), 72, 0.2f, 2.f);
            const auto y = test::random_floats(size_t(n) * dim, 73);
            std::vector<float> want(y), want_heads(x.size());
            ref::rmsnorm_add(x.data(), w.data(), n, dim, 1e-6f, want.data());
            // Per-head norm: the same weights over rows of dim/4 (4 heads per token).
            ref::rmsnorm(x.data(), w.data(), n * 4, dim / 4, 1e-6f, want_heads.data());
            gpu::Buffer gx = test::to_gpu(x), gw = test::to_gpu(w), gy = test::to_gpu(y), gh = test::gpu_floats(x.size());
            gpu::Recorder rec(*ctx);
            GpuOps ops(*ctx, rec);
            ops.rmsnorm_add(gx, gw, gy, n, dim, 1e-6f);
            ops.rmsnorm(gx, gw, gh, n * 4, dim / 4, 1e-6f);
            rec.submit();
            CHECK(test::max_abs_diff(test::from_gpu(gy, y.size()), want) < 2e-5);
            CHECK(test::max_abs_diff(test::from_gpu(gh, x.size()), want_heads) < 2e-5);
        }
    test::check_validation_clean(*ctx);
}
