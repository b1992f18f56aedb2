#pragma once

// The standard normal distribution: the CDF and its inverse (the quantile function), as
// scipy.stats.norm.cdf / norm.ppf. Pure and thread-safe.

namespace greengate::gain {

// NormalCdf(x): P(Z <= x) for Z ~ N(0, 1). Accurate in relative terms in the lower tail.
double NormalCdf(double x);

// NormalQuantile(p): the x with P(Z <= x) = p, for p in (0, 1); -inf at 0, +inf at 1, NaN
// outside [0, 1] or for NaN. Relative error below 1e-13 against scipy.stats.norm.ppf for
// p >= 1e-300 (an initial rational approximation refined by one Halley step).
double NormalQuantile(double p);

}  // namespace greengate::gain
