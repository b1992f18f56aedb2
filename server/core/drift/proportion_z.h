#pragma once

// Two-proportion z-test. Pure and thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"

namespace greengate::drift {

// Result of TwoProportionZ(): z = (p_ref - p_cur) / sqrt(P (1 - P) (1/n_ref + 1/n_cur)) with
// P the pooled proportion, and its two-sided p-value.
struct ProportionTestResult {
  double z = 0;
  double p_value = 1;
};

// TwoProportionZ()
//
// Do `reference_hits` of `reference_total` and `current_hits` of `current_total` share one
// proportion? Evidently's `z` stattest for binary features (proportions_diff_z_stat_ind and
// proportions_diff_z_test): equal to chi2_contingency on the 2x2 table without Yates'
// correction. The p-value is 2 * norm.sf(|z|) (Evidently writes 2 * (1 - norm.cdf(|z|)), the
// same number except where that loses digits below ~1e-10). A pooled proportion of 0 or 1 (no
// variation at all) gives z = 0, p = 1, as Evidently's "same single value" rule.
// InvalidArgument if a total is <= 0 or hits are outside [0, total].
absl::StatusOr<ProportionTestResult> TwoProportionZ(int64_t reference_hits, int64_t reference_total,
                                                    int64_t current_hits, int64_t current_total);

}  // namespace greengate::drift
