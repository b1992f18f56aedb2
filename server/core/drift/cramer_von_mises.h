#pragma once

// Two-sample Cramér-von Mises test. Pure and thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// How a Cramér-von Mises p-value was obtained.
enum class CvmMethod { kExact, kAsymptotic };

// Result of CramerVonMises(). `statistic` is Anderson's T (dimensionless, >= 0);
// `p_value` is the upper tail P(T' >= T) under the null, in [0, 1].
struct CvmResult {
  double statistic = 0;
  double p_value = 1;
  CvmMethod method = CvmMethod::kExact;
};

// CramerVonMises()
//
// As scipy.stats.cramervonmises_2samp(reference, current, method="auto") (scipy 1.10.1):
// U from the mid-ranks of the pooled samples (ties share their average rank),
// T = U / (n m N) - (4 n m - 1) / (6 N); then the exact p-value when max(n, m) <= 20 (the
// fraction of the C(N, n) rank arrangements with a U at least as large, counted by dynamic
// programming over lattice paths), else the asymptotic one, 1 - V(T_n) with T_n the
// standardised statistic and V the limiting one-sample CvM distribution (1 when T_n < 0.003).
// Both samples sorted ascending. InvalidArgument if a sample has fewer than 2 values, holds a
// NaN or is unsorted. Cost O(n + m) for the statistic; the exact p-value costs at most a few
// ms (20 vs 20).
absl::StatusOr<CvmResult> CramerVonMisesSorted(absl::Span<const double> reference_sorted,
                                               absl::Span<const double> current_sorted);

// CramerVonMises()
//
// Same, sorting a copy of `current` first; `reference_sorted` must be sorted.
absl::StatusOr<CvmResult> CramerVonMises(absl::Span<const double> reference_sorted,
                                         absl::Span<const double> current);

// CramerVonMisesFromStatistic()
//
// The p-value step of CramerVonMises() for a statistic `t` of samples of sizes n, m >= 2
// known otherwise (e.g. from a grid of all the rows, grid_statistics.h): exact when
// max(n, m) <= 20 (from U recovered from t), else asymptotic, on the true sizes.
CvmResult CramerVonMisesFromStatistic(double t, int64_t n, int64_t m);

// CramerVonMisesLimitCdf()
//
// The limiting distribution V(x) of the one-sample CvM statistic (Csörgő and Faraway 1996,
// eq. 1.2), summed until a term is below 1e-7 as scipy's _cdf_cvm_inf does. 0 for x <= 0.
double CramerVonMisesLimitCdf(double x);

}  // namespace greengate::drift
