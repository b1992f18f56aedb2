#pragma once

// Energy distance between one-dimensional distributions. Pure and thread-safe.

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// EnergyDistanceSorted()
//
// sqrt(2) * sqrt(integral (F_ref(x) - F_cur(x))^2 dx) between the samples' ECDFs, as
// scipy.stats.energy_distance(reference, current); in the square root of the samples' units
// (not scale-free: multiply the data by c and it grows by sqrt(c)). Both samples sorted
// ascending. InvalidArgument if either is empty, holds a NaN or is unsorted. Cost O(n1 + n2).
absl::StatusOr<double> EnergyDistanceSorted(absl::Span<const double> reference_sorted,
                                            absl::Span<const double> current_sorted);

// EnergyDistance()
//
// Same, sorting a copy of `current` first; `reference_sorted` must be sorted.
absl::StatusOr<double> EnergyDistance(absl::Span<const double> reference_sorted,
                                      absl::Span<const double> current);

// WeightedEnergyDistance()
//
// As scipy.stats.energy_distance(u_values, v_values, u_weights, v_weights); for histograms pass
// the bin centres as values and the counts as weights. Values need not be sorted.
// InvalidArgument if a side is empty, values and weights differ in length, a value is not
// finite, a weight is negative or not finite, or a side's weights sum to 0. O(n log n).
absl::StatusOr<double> WeightedEnergyDistance(absl::Span<const double> u_values,
                                              absl::Span<const double> u_weights,
                                              absl::Span<const double> v_values,
                                              absl::Span<const double> v_weights);

}  // namespace greengate::drift
