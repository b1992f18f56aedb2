#pragma once

// Wasserstein-1 (earth mover's) distance between one-dimensional distributions.
// Pure and thread-safe.

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// Wasserstein1()
//
// W1 = integral |F_ref(x) - F_cur(x)| dx between the two samples' ECDFs, as
// scipy.stats.wasserstein_distance(reference, current); in the samples' units.
// `reference_sorted` must be sorted ascending; `current` is copied and sorted.
// InvalidArgument if either is empty, holds a NaN, or the reference is not sorted.
// Cost: one sort of `current` plus an O(n1 + n2) merge walk.
absl::StatusOr<double> Wasserstein1(absl::Span<const double> reference_sorted,
                                    absl::Span<const double> current);

// Wasserstein1Sorted()
//
// Same as Wasserstein1() when both samples are already sorted ascending (no copy).
absl::StatusOr<double> Wasserstein1Sorted(absl::Span<const double> reference_sorted,
                                          absl::Span<const double> current_sorted);

// NormedWasserstein()
//
// Evidently's scale-free effect size: Wasserstein1() / max(std, 0.001), std being the
// population standard deviation (ddof 0) of the reference sample. Dimensionless. Errors as
// Wasserstein1().
absl::StatusOr<double> NormedWasserstein(absl::Span<const double> reference_sorted,
                                         absl::Span<const double> current);

// NormalizeWasserstein()
//
// w1 / max(reference_std, 0.001): the normalisation of NormedWasserstein() for callers that
// know the reference's standard deviation (e.g. from a profile). The floor keeps a constant
// reference from dividing by zero.
double NormalizeWasserstein(double w1, double reference_std);

// PopulationStd()
//
// Population standard deviation (ddof 0, two-pass), as numpy.std(values); 0 for an empty span.
double PopulationStd(absl::Span<const double> values);

// WeightedWasserstein1()
//
// W1 between two weighted distributions, as scipy.stats.wasserstein_distance(u_values,
// v_values, u_weights, v_weights); for histograms pass the bin centres as values and the bin
// counts as weights. Values need not be sorted. InvalidArgument if a side is empty, values and
// weights differ in length, a value is not finite, a weight is negative or not finite, or a
// side's weights sum to 0. Cost: O(n log n) in the number of values.
absl::StatusOr<double> WeightedWasserstein1(absl::Span<const double> u_values,
                                            absl::Span<const double> u_weights,
                                            absl::Span<const double> v_values,
                                            absl::Span<const double> v_weights);

}  // namespace greengate::drift
