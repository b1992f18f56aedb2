#pragma once

// Summary statistics read off a profile's mergeable moments.

#include <cstdint>

#include "server/core/profile/profile.h"

namespace greengate::profile {

// Variance()
//
// Variance of `count` values whose sum of squared deviations from their mean is `m2`
// (NumericProfile::m2), in the values' unit squared: m2 / (count - ddof). ddof = 1 (the
// default) gives the unbiased sample variance, numpy.var(x, ddof=1); ddof = 0 the population
// variance. NaN when count <= ddof, where it is undefined. A slightly negative m2 left by
// rounding reads as 0. Pure and thread-safe.
double Variance(double m2, int64_t count, int ddof = 1);

// StdDev()
//
// sqrt(Variance(m2, count, ddof)), in the values' unit; NaN when count <= ddof.
// Pure and thread-safe.
double StdDev(double m2, int64_t count, int ddof = 1);

// NonMissingCount()
//
// Values a feature actually saw: count - missing. For a numeric feature this is the `count`
// that goes with NumericProfile::m2. Pure and thread-safe.
inline int64_t NonMissingCount(const FeatureProfile& feature) {
  return feature.count - feature.missing;
}

}  // namespace greengate::profile
