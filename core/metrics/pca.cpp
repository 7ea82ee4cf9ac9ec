// Principal components by subspace iteration with Rayleigh–Ritz (see pca.hpp). Double precision
// throughout: the centred rows, the s × s product matrix and the iteration vectors.
#include "core/metrics/pca.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace xl {

namespace {

using Vec = std::vector<double>;

double dot(const Vec& a, const Vec& b) {
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

// Modified Gram–Schmidt on the columns `v`; a column that vanishes is replaced by the unit
// vector e_((j + salt) mod s) before orthogonalising again (rank-deficient matrices).
void orthonormalise(std::vector<Vec>& v, int salt) {
    const size_t s = v.empty() ? 0 : v[0].size();
    for (size_t j = 0; j < v.size(); ++j) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            const double before = std::sqrt(dot(v[j], v[j]));
            for (size_t i = 0; i < j; ++i) {
                const double c = dot(v[i], v[j]);
                for (size_t t = 0; t < s; ++t) v[j][t] -= c * v[i][t];
            }
            const double after = std::sqrt(dot(v[j], v[j]));
            if (after > 1e-10 * before && after > 1e-300) {
                for (double& x : v[j]) x /= after;
                break;
            }
            std::fill(v[j].begin(), v[j].end(), 0.0);
            v[j][(j + size_t(salt) + size_t(attempt) * 7) % s] = 1.0;
        }
    }
}

}  // namespace

void jacobi_eigen(std::vector<double> a, int s, Vec& values, std::vector<Vec>& vectors) {
    std::vector<Vec> q(size_t(s), Vec(size_t(s), 0.0));  // columns accumulate the rotations
    for (int i = 0; i < s; ++i) q[size_t(i)][size_t(i)] = 1;
    auto A = [&](int i, int j) -> double& { return a[size_t(i) * s + j]; };
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0, diag = 0;
        for (int i = 0; i < s; ++i)
            for (int j = 0; j < s; ++j) (i == j ? diag : off) += A(i, j) * A(i, j);
        if (off <= 1e-30 * std::max(diag, 1e-300)) break;
        for (int p = 0; p < s; ++p)
            for (int r = p + 1; r < s; ++r) {
                if (A(p, r) == 0) continue;
                // The rotation that zeroes a_pr (Golub & Van Loan, Algorithm 8.5.1).
                const double tau = (A(r, r) - A(p, p)) / (2 * A(p, r));
                const double t = (tau >= 0 ? 1 : -1) / (std::abs(tau) + std::sqrt(1 + tau * tau));
                const double c = 1 / std::sqrt(1 + t * t), sn = t * c;
                for (int k = 0; k < s; ++k) {  // A ← A J (columns p, r)
                    const double akp = A(k, p), akr = A(k, r);
                    A(k, p) = c * akp - sn * akr;
                    A(k, r) = sn * akp + c * akr;
                }
                for (int k = 0; k < s; ++k) {  // A ← Jᵀ A (rows p, r)
                    const double apk = A(p, k), ark = A(r, k);
                    A(p, k) = c * apk - sn * ark;
                    A(r, k) = sn * apk + c * ark;
                }
                for (int k = 0; k < s; ++k) {
                    const double qkp = q[size_t(k)][size_t(p)], qkr = q[size_t(k)][size_t(r)];
                    q[size_t(k)][size_t(p)] = c * qkp - sn * qkr;
                    q[size_t(k)][size_t(r)] = sn * qkp + c * qkr;
                }
            }
    }
    std::vector<int> order(static_cast<size_t>(s));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int x, int y) { return A(x, x) > A(y, y); });
    values.clear();
    vectors.clear();
    for (int i : order) {
        values.push_back(A(i, i));
        Vec v(static_cast<size_t>(s));
        for (int k = 0; k < s; ++k) v[size_t(k)] = q[size_t(k)][size_t(i)];
        vectors.push_back(std::move(v));
    }
}

std::vector<double> Pca::project(const float* row) const {
    std::vector<double> y(components.size(), 0.0);
    for (size_t i = 0; i < components.size(); ++i)
        for (int j = 0; j < dim; ++j) y[i] += (double(row[j]) - mean[size_t(j)]) * components[i][size_t(j)];
    return y;
}

Pca top_components(const float* rows, int m, int d, int k) {
    Pca p;
    p.rows = m;
    p.dim = d;
    p.mean.assign(size_t(d), 0.0);
    if (m < 1 || d < 1 || k < 1) return p;
    for (int t = 0; t < m; ++t)
        for (int j = 0; j < d; ++j) p.mean[size_t(j)] += rows[size_t(t) * d + j];
    for (double& x : p.mean) x /= m;
    std::vector<double> X(size_t(m) * d);  // centred rows
    double trace = 0;
    for (int t = 0; t < m; ++t)
        for (int j = 0; j < d; ++j) {
            const double x = rows[size_t(t) * d + j] - p.mean[size_t(j)];
            X[size_t(t) * d + j] = x;
            trace += x * x;
        }
    p.total_variance = trace / m;
    if (trace <= 0) return p;

    // S = X Xᵀ (m × m) or Xᵀ X (d × d), whichever is smaller: the same non-zero eigenvalues.
    const bool gram = m < d;
    const int s = gram ? m : d;
    std::vector<double> S(size_t(s) * s, 0.0);
    if (gram) {
        for (int a = 0; a < m; ++a)
            for (int b = a; b < m; ++b) {
                double acc = 0;
                for (int j = 0; j < d; ++j) acc += X[size_t(a) * d + j] * X[size_t(b) * d + j];
                S[size_t(a) * s + b] = S[size_t(b) * s + a] = acc;
            }
    } else {
        for (int t = 0; t < m; ++t) {
            const double* x = &X[size_t(t) * d];
            for (int a = 0; a < d; ++a) {
                const double xa = x[a];
                if (xa == 0) continue;
                double* row = &S[size_t(a) * s];
                for (int b = a; b < d; ++b) row[b] += xa * x[b];
            }
        }
        for (int a = 0; a < d; ++a)
            for (int b = a + 1; b < d; ++b) S[size_t(b) * s + a] = S[size_t(a) * s + b];
    }

    k = std::min({k, m, d});
    const int block = std::min(s, k + 2);  // two guard vectors speed up the last wanted one
    // Start from the columns of S with the largest diagonal (never orthogonal to all of its range).
    std::vector<int> by_diag(static_cast<size_t>(s));
    std::iota(by_diag.begin(), by_diag.end(), 0);
    std::stable_sort(by_diag.begin(), by_diag.end(), [&](int x, int y) { return S[size_t(x) * s + x] > S[size_t(y) * s + y]; });
    std::vector<Vec> V(size_t(block), Vec(static_cast<size_t>(s)));
    for (int b = 0; b < block; ++b)
        for (int i = 0; i < s; ++i) V[size_t(b)][size_t(i)] = S[size_t(i) * s + by_diag[size_t(b)]];
    orthonormalise(V, 0);
    std::vector<Vec> Z(size_t(block), Vec(static_cast<size_t>(s)));
    Vec lambda;
    const double tol = 1e-9;
    for (int it = 1; it <= 5000; ++it) {
        p.iterations = it;
        for (int b = 0; b < block; ++b)  // Z = S V
            for (int i = 0; i < s; ++i) {
                double acc = 0;
                const double* row = &S[size_t(i) * s];
                for (int j = 0; j < s; ++j) acc += row[j] * V[size_t(b)][size_t(j)];
                Z[size_t(b)][size_t(i)] = acc;
            }
        // Rayleigh–Ritz: H = Vᵀ S V = Q Λ Qᵀ; V ← V Q, Z ← Z Q.
        std::vector<double> H(size_t(block) * block);
        for (int a = 0; a < block; ++a)
            for (int b = 0; b < block; ++b) H[size_t(a) * block + b] = dot(V[size_t(a)], Z[size_t(b)]);
        for (int a = 0; a < block; ++a)
            for (int b = a + 1; b < block; ++b)
                H[size_t(a) * block + b] = H[size_t(b) * block + a] = 0.5 * (H[size_t(a) * block + b] + H[size_t(b) * block + a]);
        std::vector<Vec> Q;
        jacobi_eigen(H, block, lambda, Q);
        std::vector<Vec> V2(size_t(block), Vec(size_t(s), 0.0)), Z2 = V2;
        for (int a = 0; a < block; ++a)
            for (int b = 0; b < block; ++b) {
                const double q = Q[size_t(a)][size_t(b)];
                for (int i = 0; i < s; ++i) {
                    V2[size_t(a)][size_t(i)] += V[size_t(b)][size_t(i)] * q;
                    Z2[size_t(a)][size_t(i)] += Z[size_t(b)][size_t(i)] * q;
                }
            }
        double worst = 0;
        for (int a = 0; a < k; ++a) {
            double r = 0;
            for (int i = 0; i < s; ++i) {
                const double e = Z2[size_t(a)][size_t(i)] - lambda[size_t(a)] * V2[size_t(a)][size_t(i)];
                r += e * e;
            }
            worst = std::max(worst, std::sqrt(r));
        }
        V = V2;
        if (worst <= tol * std::max(lambda[0], 1e-300)) {
            p.converged = true;
            break;
        }
        V = Z2;
        orthonormalise(V, it);
    }

    for (int a = 0; a < k; ++a) {
        const double l = lambda[size_t(a)];
        if (!(l > 1e-12 * trace)) break;  // no variance left in this direction
        Vec v(size_t(d), 0.0);
        if (gram) {  // v = Xᵀ u / ‖Xᵀ u‖ (‖Xᵀ u‖² = λ)
            for (int t = 0; t < m; ++t)
                for (int j = 0; j < d; ++j) v[size_t(j)] += X[size_t(t) * d + j] * V[size_t(a)][size_t(t)];
            const double nv = std::sqrt(dot(v, v));
            for (double& x : v) x /= nv;
        } else {
            v = V[size_t(a)];
        }
        double trend = 0;  // Σ_t t · y_t: flip so that the coordinate grows with the row index
        for (int t = 0; t < m; ++t) {
            double y = 0;
            for (int j = 0; j < d; ++j) y += X[size_t(t) * d + j] * v[size_t(j)];
            trend += double(t) * y;
        }
        if (trend < 0)
            for (double& x : v) x = -x;
        p.components.push_back(std::move(v));
        p.variance.push_back(l / m);
    }
    return p;
}

}  // namespace xl
