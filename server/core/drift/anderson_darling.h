#pragma once

// Anderson-Darling k-sample test. Pure and thread-safe.

#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// Result of AndersonDarlingKSample(), as scipy.stats.anderson_ksamp reports it.
struct AndersonDarlingResult {
  // The standardised statistic (A2akN - (k - 1)) / sigma, dimensionless; can be negative.
  double statistic = 0;
  // Critical values for the significance levels 25%, 10%, 5%, 2.5%, 1%, 0.5%, 0.1%.
  std::vector<double> critical_values;
  // Approximate p-value: the quadratic fit of log(level) on the critical values evaluated at
  // the statistic, capped to [0.001, 0.25] outside the table (as scipy 1.10, which warns).
  double significance_level = 0;
  bool capped = false;  // true when the p-value is one of the caps
};

// AndersonDarlingKSample()
//
// As scipy.stats.anderson_ksamp(samples, midrank=True) in scipy 1.10.1 (Scholz and Stephens
// 1987, the mid-rank statistic A2akN for continuous data with ties). Each sample sorted
// ascending. InvalidArgument if there are fewer than 2 samples, a sample is empty, unsorted or
// holds a NaN, there are fewer than 4 values in all, or all the values are equal.
// Cost O(N log N) in the total number of values.
absl::StatusOr<AndersonDarlingResult> AndersonDarlingKSample(
    const std::vector<absl::Span<const double>>& samples_sorted);

// AndersonDarlingFromTieGroups()
//
// The same statistic from counts instead of values: groups[i][j] is how many values of sample
// i equal the j-th smallest distinct value (groups may be empty in every sample: skipped). For
// data known only as counts of ordered groups, e.g. a fine grid (grid_statistics.h).
// InvalidArgument for fewer than 2 samples, samples of different group counts, an empty
// sample, fewer than 4 values in all or a single occupied group.
absl::StatusOr<AndersonDarlingResult> AndersonDarlingFromTieGroups(
    const std::vector<std::vector<double>>& groups);

}  // namespace greengate::drift
