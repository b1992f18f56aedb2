#pragma once

// Distribution tails used by the drift tests. Pure and thread-safe.

namespace greengate::drift {

// ChiSquareSf()
//
// Upper tail P(X >= x) of the chi-square distribution with `dof` degrees of freedom, as
// scipy.stats.chi2.sf(x, dof): the regularized upper incomplete gamma Q(dof/2, x/2).
// Returns 1 for x <= 0. `dof` must be > 0 (asserted: callers compute it, users never pass it).
double ChiSquareSf(double x, double dof);

// NormalSf()
//
// Upper tail P(Z >= z) of the standard normal distribution, as scipy.stats.norm.sf(z),
// accurate in the far tail (computed from erfc, not 1 - cdf).
double NormalSf(double z);

}  // namespace greengate::drift
