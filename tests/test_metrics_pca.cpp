// PCA of core/metrics/pca.hpp against decompositions known in closed form: orthonormal directions
// planted with mutually orthogonal zero-mean coordinate sequences (so they are exactly the
// principal axes), on both the covariance path (m > d) and the Gram path (m < d); Jacobi on a
// matrix built from known eigenpairs; rank deficiency; the sign convention.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/metrics/pca.hpp"

using namespace xl;

namespace {

const double kPi = 3.14159265358979323846;

// k orthonormal random d-vectors (Gram–Schmidt of Gaussian draws).
std::vector<std::vector<double>> random_basis(int k, int d, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> g;
    std::vector<std::vector<double>> u;
    for (int i = 0; i < k; ++i) {
        std::vector<double> v(static_cast<size_t>(d));
        for (double& x : v) x = g(rng);
        for (const auto& w : u) {
            double c = 0;
            for (int j = 0; j < d; ++j) c += v[size_t(j)] * w[size_t(j)];
            for (int j = 0; j < d; ++j) v[size_t(j)] -= c * w[size_t(j)];
        }
        double nn = 0;
        for (double x : v) nn += x * x;
        for (double& x : v) x /= std::sqrt(nn);
        u.push_back(v);
    }
    return u;
}

struct Planted {
    int m, d;
    std::vector<std::vector<double>> u;       // planted directions
    std::vector<std::vector<double>> a;       // [i][t] coordinates
    std::vector<float> rows;
};

// rows(t) = centre + Σ_i a_i(t) u_i with a_1 = 5 cos(2πt/m), a_2 = 2 sin(2πt/m), a_3 = cos(4πt/m):
// orthogonal, zero-mean sequences, variances 12.5, 2, 0.5 (total 15).
Planted planted(int m, int d, uint32_t seed) {
    Planted p{m, d, random_basis(3, d, seed), {}, {}};
    p.a.assign(3, std::vector<double>(size_t(m)));
    for (int t = 0; t < m; ++t) {
        p.a[0][size_t(t)] = 5 * std::cos(2 * kPi * t / m);
        p.a[1][size_t(t)] = 2 * std::sin(2 * kPi * t / m);
        p.a[2][size_t(t)] = 1 * std::cos(4 * kPi * t / m);
    }
    p.rows.resize(size_t(m) * d);
    for (int t = 0; t < m; ++t)
        for (int j = 0; j < d; ++j) {
            double x = 0.5 + 0.01 * j;  // the centre
            for (int i = 0; i < 3; ++i) x += p.a[size_t(i)][size_t(t)] * p.u[size_t(i)][size_t(j)];
            p.rows[size_t(t) * d + j] = float(x);
        }
    return p;
}

void check_recovers(const Planted& p) {
    const Pca pca = top_components(p.rows.data(), p.m, p.d, 3);
    REQUIRE(pca.components.size() == 3);
    CHECK(pca.converged);
    const double expected[3] = {12.5 / 15, 2.0 / 15, 0.5 / 15};
    for (int i = 0; i < 3; ++i) {
        double c = 0;
        for (int j = 0; j < p.d; ++j) c += pca.components[size_t(i)][size_t(j)] * p.u[size_t(i)][size_t(j)];
        CHECK(std::abs(std::abs(c) - 1) < 1e-6);                    // the planted axis, up to sign
        CHECK(std::abs(pca.explained(i) - expected[i]) < 1e-5);      // float rows: ~1e-7 relative error
        // Coordinates: ±a_i(t) at every row.
        double worst = 0;
        for (int t = 0; t < p.m; ++t) {
            const double y = pca.project(p.rows.data() + size_t(t) * p.d)[size_t(i)];
            worst = std::max(worst, std::abs(std::abs(y) - std::abs(p.a[size_t(i)][size_t(t)])));
        }
        CHECK(worst < 1e-4);
    }
    CHECK(std::abs(pca.total_variance - 15.0) < 1e-4);
}

}  // namespace

TEST_CASE("pca: planted components, covariance path (more rows than dimensions)") {
    check_recovers(planted(400, 24, 7));
}

TEST_CASE("pca: planted components, Gram path (fewer rows than dimensions)") {
    check_recovers(planted(40, 96, 11));
}

TEST_CASE("pca: Jacobi recovers the eigenpairs a matrix was built from") {
    const auto q = random_basis(4, 4, 3);
    const double lam[4] = {7, -2, 3, 0.5};
    std::vector<double> a(16, 0.0);
    for (int i = 0; i < 4; ++i)
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) a[size_t(r) * 4 + c] += lam[i] * q[size_t(i)][size_t(r)] * q[size_t(i)][size_t(c)];
    std::vector<double> values;
    std::vector<std::vector<double>> vectors;
    jacobi_eigen(a, 4, values, vectors);
    const double sorted[4] = {7, 3, 0.5, -2};
    const int source[4] = {0, 2, 3, 1};
    for (int i = 0; i < 4; ++i) {
        CHECK(values[size_t(i)] == doctest::Approx(sorted[i]).epsilon(1e-12));
        double c = 0;
        for (int j = 0; j < 4; ++j) c += vectors[size_t(i)][size_t(j)] * q[size_t(source[i])][size_t(j)];
        CHECK(std::abs(std::abs(c) - 1) < 1e-10);
    }
}

TEST_CASE("pca: rows spanning two directions give two components - a ramp's coordinate grows with the row") {
    const int m = 50, d = 8;
    const auto u = random_basis(2, d, 5);
    std::vector<float> rows(size_t(m) * d);
    for (int t = 0; t < m; ++t)
        for (int j = 0; j < d; ++j)
            rows[size_t(t) * d + j] = float(-(t - 24.5) * u[0][size_t(j)] + 3 * std::sin(2 * kPi * t / m) * u[1][size_t(j)]);
    const Pca pca = top_components(rows.data(), m, d, 3);
    REQUIRE(pca.components.size() == 2);  // no third direction has variance
    CHECK(pca.explained(0) + pca.explained(1) == doctest::Approx(1.0).epsilon(1e-6));
    // The ramp runs against u_0 as t grows; the sign convention turns the component so that its
    // coordinate increases with t.
    CHECK(pca.project(rows.data() + size_t(m - 1) * d)[0] > pca.project(rows.data())[0]);
    double c = 0;
    for (int j = 0; j < d; ++j) c += pca.components[0][size_t(j)] * u[0][size_t(j)];
    CHECK(c < -0.99);  // the ramp dominates (variance 208 against 4.5)
}
