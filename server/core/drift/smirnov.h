#pragma once

// Exact distribution of the one-sided one-sample Kolmogorov-Smirnov statistic D_n+.
// Pure and thread-safe.

#include <cstdint>

namespace greengate::drift {

// SmirnovSf()
//
// P(D_n+ >= d) for a sample of size n, as scipy.special.smirnov(n, d): the Smirnov /
// Birnbaum-Tingey sum, evaluated in log space outward from the peak of its terms (so the
// binomial coefficients never overflow) and stopped once the rest cannot change the result.
// For n > 1e6 it uses scipy's closed-form approximation exp(-(6nd+1)^2 / 18n) instead.
// Returns NaN for n < 1 or d outside [0, 1]. Cost: O(number of terms that matter), which
// is small for d far from 1/sqrt(n) and up to O(n) (~75 ns a term) near it.
double SmirnovSf(int64_t n, double d);

}  // namespace greengate::drift
