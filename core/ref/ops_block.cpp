// CPU twins of the block-option shaders (geglu.comp, affine.comp, rmsnorm.comp's ADD variant).
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/ref/ops.hpp"

namespace xl::ref {
namespace {

// GELU, tanh approximation (Hendrycks & Gimpel 2016; Gemma's hidden_activation gelu_pytorch_tanh).
double gelu_tanh(double x) {
    const double k = std::sqrt(2.0 / M_PI);
    return 0.5 * x * (1.0 + std::tanh(k * (x + 0.044715 * x * x * x)));
}

}  // namespace

void geglu(const float* gate, const float* up, int count, float* out) {
    for (int i = 0; i < count; ++i) out[i] = float(gelu_tanh(gate[i]) * double(up[i]));
}

void affine(float* y, int count, float scale, const float* bias, int width) {
    for (int i = 0; i < count; ++i)
        y[i] = float(double(y[i]) * double(scale) + (bias ? double(bias[i % width]) : 0.0));
}

void rmsnorm_add(const float* x, const float* weight, int n, int dim, float eps, float* y) {
    std::vector<float> row(static_cast<size_t>(dim));
    for (int t = 0; t < n; ++t) {
        rmsnorm(x + int64_t(t) * dim, weight, 1, dim, eps, row.data());
        float* yt = y + int64_t(t) * dim;
        for (int c = 0; c < dim; ++c) yt[c] = float(double(yt[c]) + double(row[size_t(c)]));
    }
}

}  // namespace xl::ref
