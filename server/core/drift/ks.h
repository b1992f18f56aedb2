#pragma once

// Two-sample Kolmogorov-Smirnov test. Pure and thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// How a KS p-value was obtained.
enum class KsMethod { kExact, kAsymptotic };

// Result of KolmogorovSmirnov(). `statistic` is D = sup |F_ref - F_cur| in [0, 1];
// `p_value` is two-sided, in [0, 1].
struct KsResult {
  double statistic = 0;
  double p_value = 1;
  KsMethod method = KsMethod::kExact;
};

// KolmogorovSmirnov()
//
// As scipy.stats.ks_2samp(reference, current, alternative="two-sided", method="auto"):
// D over the pooled sorted values (ties count together, so repeated values are handled), then
// the exact p-value when max(n1, n2) <= 10000, else kstwo.sf(D, round(n1 n2 / (n1 + n2))).
// As in scipy, the exact branch reports D rounded to the lattice h / lcm(n1, n2), and falls back
// to the asymptotic p-value if the exact computation fails.
//
// `reference_sorted` must be sorted ascending (references are stored sorted); `current` is
// copied and sorted. InvalidArgument if either is empty, holds a NaN, or the reference is not
// sorted; the messages name the argument. Cost: one sort of `current`, an O(n1 + n2) merge
// walk, and the p-value: O(n) for equal sizes, O(max(n1, n2) * D min(n1, n2)) for the exact
// unequal-size case (at worst ~0.25 s at 10000 vs 9999), at most O(n) for the asymptotic one.
absl::StatusOr<KsResult> KolmogorovSmirnov(absl::Span<const double> reference_sorted,
                                           absl::Span<const double> current);

// KolmogorovSmirnovSorted()
//
// Same as KolmogorovSmirnov() when both samples are already sorted ascending (no copy).
absl::StatusOr<KsResult> KolmogorovSmirnovSorted(absl::Span<const double> reference_sorted,
                                                 absl::Span<const double> current_sorted);

// KolmogorovSmirnovFromStatistic()
//
// The p-value step of KolmogorovSmirnov() for a statistic `d` of samples of sizes n1, n2 >= 1
// known otherwise (e.g. from a grid of all the rows, grid_statistics.h): the same exact or
// asymptotic branch on the true sizes, with the same lattice snapping.
KsResult KolmogorovSmirnovFromStatistic(double d, int64_t n1, int64_t n2);

}  // namespace greengate::drift
