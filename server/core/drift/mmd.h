#pragma once

// Maximum mean discrepancy (MMD) two-sample test with a Gaussian RBF kernel, as alibi-detect's
// MMDDrift computes it, in memory linear in the number of rows. Pure and thread-safe (the
// function starts its own worker threads and joins them before returning).

#include <cstdint>

#include "Eigen/Core"
#include "absl/status/statusor.h"

namespace greengate::drift {

// Rows are observations, columns features.
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// MedianHeuristicSigma()
//
// alibi-detect's sigma_median(x, y, dist): sqrt(0.5 * m) with m the lower median of the
// squared Euclidean distances between rows of `x` and rows of `y`, leaving out the diagonal
// when `x` and `y` are the same matrix. MMDDrift infers its bandwidth as
// MedianHeuristicSigma(x_ref, x_ref). Same number of columns required (asserted). Memory
// O(rows(x) * rows(y)): callers bound the rows (MmdTest uses at most kMaxBandwidthRows).
double MedianHeuristicSigma(const RowMatrix& x, const RowMatrix& y);

// Rows of the reference used to infer the bandwidth; larger references use this many rows,
// evenly spaced, so the median's memory stays bounded.
inline constexpr int64_t kMaxBandwidthRows = 2000;

// Mmd2Unbiased()
//
// The unbiased MMD^2 estimate with k(a, b) = exp(-|a - b|^2 / (2 sigma^2)):
// sum_{i != j} k(x_i, x_j) / (n (n - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
// - 2 mean k(x_i, y_j); can be negative. Computed block-wise (memory O((n + m) * block)).
// InvalidArgument if a side has fewer than 2 rows, the column counts differ, a value is not
// finite, or sigma is not > 0.
absl::StatusOr<double> Mmd2Unbiased(const RowMatrix& x, const RowMatrix& y, double sigma);

// Options of MmdTest().
struct MmdOptions {
  int permutations = 100;  // alibi's n_permutations
  uint64_t seed = 0;       // the permutations are drawn from it: same inputs, same p-value
  int threads = 2;         // worker threads; the result does not depend on it
  double sigma = 0;        // kernel bandwidth; 0 infers it from the reference (median heuristic)
};

// Result of MmdTest().
struct MmdResult {
  double mmd2 = 0;     // unbiased MMD^2 of reference vs current
  double sigma = 0;    // bandwidth used
  double p_value = 1;  // share of permutations whose MMD^2 >= the observed one (alibi's rule)
  int permutations = 0;
};

// MmdTest()
//
// MMD^2 of `reference` vs `current` and alibi's permutation p-value: the pooled rows are
// re-split at random `permutations` times (same sizes), and p = mean(mmd2_perm >= mmd2). Every
// permutation's statistic comes from one pass over the kernel matrix in row blocks: with u_p
// the indicator of the rows a permutation assigns to the reference, only u_p' K u_p and
// u_p' K 1 are needed, so each block of K is computed once and multiplied by all indicators
// at once (a GEMM), and no N x N matrix is ever held. Cost O(N^2 (d + permutations)),
// memory O(N (block + permutations + d)). Errors as Mmd2Unbiased(), and InvalidArgument when
// permutations is not in [0, 100000] or sigma < 0.
absl::StatusOr<MmdResult> MmdTest(const RowMatrix& reference, const RowMatrix& current,
                                  const MmdOptions& options);

}  // namespace greengate::drift
