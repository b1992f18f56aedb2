#pragma once

// Chi-square test of homogeneity of two count vectors. Pure and thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// Result of ChiSquareHomogeneity(): Pearson's statistic, its degrees of freedom (number of
// categories kept - 1) and the upper-tail p-value.
struct ChiSquareResult {
  double statistic = 0;
  int64_t dof = 0;
  double p_value = 1;
};

// ChiSquareHomogeneity()
//
// Do `reference_counts` and `current_counts` (same categories, same order) come from the same
// distribution? As scipy.stats.chi2_contingency([reference_counts, current_counts],
// correction=True) on the 2 x k table: expected = row total * column total / grand total,
// Yates' continuity correction (each cell moved towards its expectation by at most 0.5) when
// dof == 1, and dof == 0 (a single category) gives statistic 0 and p = 1 instead of NaN.
// Unlike scipy, columns that are zero in both rows are dropped first: they carry no evidence,
// and scipy would reject the table for a zero expected frequency.
// InvalidArgument if the vectors are empty or differ in length, a count is negative or not
// finite, or a row sums to 0 (nothing to compare). Cost O(k).
absl::StatusOr<ChiSquareResult> ChiSquareHomogeneity(absl::Span<const double> reference_counts,
                                                     absl::Span<const double> current_counts);

}  // namespace greengate::drift
