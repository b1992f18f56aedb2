#pragma once

// Distances between two histograms over the same bins (or categories), given as counts.
// Each function normalises the counts of a side to fractions first, so the two sides may have
// different totals. InvalidArgument if the vectors are empty or differ in length, a count is
// negative or not finite, or a side's counts sum to 0. Pure and thread-safe. Cost O(bins).

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace greengate::drift {

// PopulationStabilityIndex()
//
// PSI = sum_i (r_i - c_i) ln(r_i / c_i) over bin fractions, as Evidently's `psi` stattest.
// Empty bins would make it infinite, so, per side and as Evidently does, a zero fraction is
// replaced by eps = 1e-4, or by (smallest non-zero fraction of that side) / 1e6 when that
// fraction is itself <= 1e-4; the other fractions are left as they are (not renormalised).
// Dimensionless (nats); 0.1 is the usual "drifted" threshold.
absl::StatusOr<double> PopulationStabilityIndex(absl::Span<const double> reference_counts,
                                                absl::Span<const double> current_counts);

// KullbackLeibler()
//
// KL(reference || current) in nats, as Evidently's `kl_div` stattest: the fractions get the
// zero replacement of PopulationStabilityIndex(), then scipy.stats.entropy(ref, cur), which
// renormalises both to sum 1.
absl::StatusOr<double> KullbackLeibler(absl::Span<const double> reference_counts,
                                       absl::Span<const double> current_counts);

// JensenShannonDivergence()
//
// JSD = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2, logarithms in `base` (2 gives
// [0, 1]; e gives [0, ln 2]). Zeros need no replacement. This is the quantity TFDV reports
// (uncapped here), i.e. scipy.spatial.distance.jensenshannon(p, q, base) squared.
absl::StatusOr<double> JensenShannonDivergence(absl::Span<const double> reference_counts,
                                               absl::Span<const double> current_counts,
                                               double base = 2.0);

// JensenShannonDistance()
//
// sqrt(JensenShannonDivergence()), as scipy.spatial.distance.jensenshannon(p, q, base).
// Base 2 gives [0, 1] (NannyML); base e gives Evidently's [0, sqrt(ln 2)].
absl::StatusOr<double> JensenShannonDistance(absl::Span<const double> reference_counts,
                                             absl::Span<const double> current_counts,
                                             double base = 2.0);

// HellingerDistance()
//
// ||sqrt(p) - sqrt(q)||_2 / sqrt(2), in [0, 1] (equal to Evidently's sqrt(1 - sum sqrt(p q))
// for normalised p, q, without its cancellation near 0).
absl::StatusOr<double> HellingerDistance(absl::Span<const double> reference_counts,
                                         absl::Span<const double> current_counts);

// LInfinityDistance()
//
// max_i |p_i - q_i| over the fractions, in [0, 1] (TFDV's infinity_norm comparator).
absl::StatusOr<double> LInfinityDistance(absl::Span<const double> reference_counts,
                                         absl::Span<const double> current_counts);

}  // namespace greengate::drift
