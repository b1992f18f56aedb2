#pragma once

// Exact distribution of the one-sided one-sample Kolmogorov-Smirnov statistic D_n+.
// Pure and thread-safe.

#include <cstdint>

namespace greengate::drift {

// SmirnovSf()
//
// P(D_n+ >= d) for a sample of size n, as scipy.special.smirnov(n, d): the Smirnov /
// Birnbaum-Tingey sum, in log space relative to the peak of its terms (so the binomial
// coefficients never overflow). Where few terms matter they are added outward from the peak
// until the rest cannot change the result; where thousands do (large n, the two-sample test's
// usual case) the sum is taken as the integral of the terms' smooth extension, by a trapezoid
// rule refined until it agrees with itself to 1e-14 (tested against the term-by-term sum).
// For n > 1e6 it uses scipy's closed-form approximation exp(-(6nd+1)^2 / 18n) instead.
// Returns NaN for n < 1 or d outside [0, 1]. Cost: a few dozen lgamma evaluations, or the
// terms that matter where fewer than ~64 * 10 of them do.
double SmirnovSf(int64_t n, double d);

namespace internal {

// SmirnovSf() always summing term by term (the reference the integral is tested against).
double SmirnovSfTermByTerm(int64_t n, double d);

}  // namespace internal

}  // namespace greengate::drift
