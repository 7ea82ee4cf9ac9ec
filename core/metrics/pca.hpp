// Top principal components of a set of rows (positions × features), centred across the rows:
// subspace iteration with Rayleigh–Ritz (Golub & Van Loan, "Matrix Computations", §8.2.4) on the
// smaller of the Gram matrix X·Xᵀ (m × m) and the scatter matrix Xᵀ·X (d × d), which share their
// non-zero eigenvalues; the small Ritz problem is solved by cyclic Jacobi (ibid. §8.5).
//
//   Pca p = top_components(rows, m, d, 3);   // rows: m × d, row-major
//   p.explained(0);                          // share of the total variance along component 0
//   std::vector<double> y = p.project(row);  // coordinates of any d-vector in the components
#pragma once
#include <cstddef>
#include <vector>

namespace xl {

struct Pca {
    int rows = 0, dim = 0;
    std::vector<double> mean;                       // d: the centre (mean of the rows)
    std::vector<std::vector<double>> components;    // k unit d-vectors, by decreasing variance
    std::vector<double> variance;                   // k: variance along each component (eigenvalue / rows)
    double total_variance = 0;                      // trace of the covariance (sum over all directions)
    int iterations = 0;
    bool converged = false;                         // residual ‖S v − λ v‖ ≤ 1e-9 · λ₁ for every component
    double explained(int i) const { return total_variance > 0 ? variance[size_t(i)] / total_variance : 0.0; }
    std::vector<double> project(const float* row) const;  // (row − mean) · components[i]
};

// k ≤ min(m, d) components of rows[m][d]; fewer when the rows span fewer directions (zero
// variance components are dropped). Signs: each component points so that the coordinate grows
// with the row index on average (Σ_t t · y_t ≥ 0), which makes trajectories comparable.
Pca top_components(const float* rows, int m, int d, int k);

// Eigen-decomposition of a small symmetric matrix a[s][s] (row-major) by cyclic Jacobi rotations:
// eigenvalues descending, eigenvectors as rows of `vectors`.
void jacobi_eigen(std::vector<double> a, int s, std::vector<double>& values, std::vector<std::vector<double>>& vectors);

}  // namespace xl
