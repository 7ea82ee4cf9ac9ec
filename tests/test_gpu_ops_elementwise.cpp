// GPU norms, activations, residual add and NLL vs their CPU twins (core/ref/ops.hpp).
// Tolerances: 2e-5 absolute for norms/activations, 1e-4 for NLL over vocabularies up to 1000.
#include <doctest/doctest.h>

#include "core/forward/gpu_ops.hpp"
#include "core/ref/ops.hpp"
#include "tests/test_gpu_util.hpp"

using namespace xl;

TEST_CASE("gpu ops: rmsnorm and layernorm match the reference") {
    auto ctx = test::gpu_context();
    for (int dim : {8, 64, 172, 300}) {
        const int n = 19;
        CAPTURE(dim);
        const auto x = test::random_floats(size_t(n) * dim, 21, -3.f, 3.f);
        const auto w = test::random_floats(size_t(dim), 22, 0.5f, 1.5f);
        const auto b = test::random_floats(size_t(dim), 23);
        std::vector<float> want_rms(x.size()), want_ln(x.size()), want_ln_nobias(x.size());
        ref::rmsnorm(x.data(), w.data(), n, dim, 1e-5f, want_rms.data());
        ref::layernorm(x.data(), w.data(), b.data(), n, dim, 1e-5f, want_ln.data());
        ref::layernorm(x.data(), w.data(), nullptr, n, dim, 1e-5f, want_ln_nobias.data());
        gpu::Buffer gx = test::to_gpu(x), gw = test::to_gpu(w), gb = test::to_gpu(b);
        gpu::Buffer y1 = test::gpu_floats(x.size()), y2 = test::gpu_floats(x.size()), y3 = test::gpu_floats(x.size());
        gpu::Recorder rec(*ctx);
        GpuOps ops(*ctx, rec);
        ops.rmsnorm(gx, gw, y1, n, dim, 1e-5f);
        ops.layernorm(gx, gw, &gb, y2, n, dim, 1e-5f);
        ops.layernorm(gx, gw, nullptr, y3, n, dim, 1e-5f);
        rec.submit();
        CHECK(test::max_abs_diff(test::from_gpu(y1, x.size()), want_rms) < 2e-5);
        CHECK(test::max_abs_diff(test::from_gpu(y2, x.size()), want_ln) < 2e-5);
        CHECK(test::max_abs_diff(test::from_gpu(y3, x.size()), want_ln_nobias) < 2e-5);
    }
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: swiglu, silu and add match the reference") {
    auto ctx = test::gpu_context();
    const int count = 1000;  // not a multiple of the 256-wide workgroup
    const auto g = test::random_floats(count, 31, -6.f, 6.f), u = test::random_floats(count, 32, -2.f, 2.f);
    std::vector<float> want_swiglu(count), want_silu(count), want_add(g);
    ref::swiglu(g.data(), u.data(), count, want_swiglu.data());
    ref::silu(g.data(), count, want_silu.data());
    ref::add_inplace(want_add.data(), u.data(), count);
    gpu::Buffer gg = test::to_gpu(g), gu = test::to_gpu(u), o1 = test::gpu_floats(count), o2 = test::gpu_floats(count);
    gpu::Buffer acc = test::to_gpu(g);
    gpu::Recorder rec(*ctx);
    GpuOps ops(*ctx, rec);
    ops.swiglu(gg, gu, o1, count);
    ops.silu(gg, o2, count);
    ops.add(acc, gu, count);
    rec.submit();
    CHECK(test::max_abs_diff(test::from_gpu(o1, count), want_swiglu) < 2e-5);
    CHECK(test::max_abs_diff(test::from_gpu(o2, count), want_silu) < 2e-5);
    CHECK(test::max_abs_diff(test::from_gpu(acc, count), want_add) < 1e-6);
    test::check_validation_clean(*ctx);
}

TEST_CASE("gpu ops: nll matches ref::nll, with target and output offsets") {
    auto ctx = test::gpu_context();
    for (int vocab : {7, 512, 1000}) {
        const int n = 23, t_off = 3, o_off = 5;
        CAPTURE(vocab);
        const auto logits = test::random_floats(size_t(n) * vocab, 41, -8.f, 8.f);
        std::vector<int> targets(size_t(n + t_off));
        for (size_t i = 0; i < targets.size(); ++i) targets[i] = int((i * 13 + 1) % size_t(vocab));
        std::vector<float> want(static_cast<size_t>(n));
        ref::nll(logits.data(), n, vocab, targets.data() + t_off, want.data());
        gpu::Buffer gl = test::to_gpu(logits), gt = test::to_gpu(targets), go = test::gpu_floats(size_t(n + o_off));
        gpu::Recorder rec(*ctx);
        GpuOps(*ctx, rec).nll(gl, gt, go, n, vocab, t_off, o_off);
        rec.submit();
        auto got = test::from_gpu(go, size_t(n + o_off));
        got.erase(got.begin(), got.begin() + o_off);
        CHECK(test::max_abs_diff(got, want) < 1e-4);
    }
    test::check_validation_clean(*ctx);
}
