#pragma once

// Multiple-testing correction of p-values. Pure and thread-safe.

#include <vector>

#include "absl/types/span.h"
#include "server/core/drift/drift.h"

namespace greengate::drift {

// AdjustPValues()
//
// Adjusted p-values, in the input order, so that "adjusted p < alpha" controls:
// - kBenjaminiHochberg: the false discovery rate (BH step-up), as
//   scipy.stats.false_discovery_control(p, method="bh"): p_(i) * m / i for the i-th smallest,
//   made monotone by a running minimum from the largest down, clipped to [0, 1];
// - kBonferroni: the family-wise error rate, min(1, p * m);
// - kNone: the p-values unchanged.
// m is the number of p-values. The inputs should lie in [0, 1]; a NaN stays NaN. O(m log m).
std::vector<double> AdjustPValues(absl::Span<const double> p_values, Correction correction);

}  // namespace greengate::drift
