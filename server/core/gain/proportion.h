#pragma once

// Confidence intervals for a single binomial proportion. Pure and thread-safe.

#include <cstdint>

#include "absl/status/statusor.h"

namespace greengate::gain {

// A two-sided interval for a proportion, both ends fractions in [0, 1].
struct ProportionInterval {
  double lower = 0;
  double upper = 0;
};

// WilsonInterval(): the Wilson score interval for `successes` out of `trials` at two-sided
// level `confidence` (0.95: 2.5% in each tail), as
// statsmodels.stats.proportion.proportion_confint(successes, trials, alpha=1-confidence,
// method="wilson"). Unlike the normal (Wald) interval it stays inside [0, 1] and is not
// degenerate at 0 or `trials` successes. InvalidArgument ("trials", "successes",
// "confidence") for trials <= 0, successes outside [0, trials], confidence outside (0, 1);
// callers with a field path of their own validate first.
absl::StatusOr<ProportionInterval> WilsonInterval(int64_t successes, int64_t trials,
                                                  double confidence);

}  // namespace greengate::gain
