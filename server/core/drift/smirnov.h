#pragma once

// Exact distribution of the one-sided one-sample Kolmogorov-Smirnov statistic D_n+.
// Pure and thread-safe.

#include <cstdint>

namespace greengate::drift {

// SmirnovSf()
//
// P(D_n+ >= d) for a sample of size n, as scipy.special.smirnov(n, d): the Smirnov /
// Birnbaum-Tingey sum, evaluated term by term in extended precision and log space (so the
// binomial coefficients never overflow). For n > 1e6 it uses the same closed-form
// approximation as scipy, exp(-(6nd+1)^2 / 18n). Returns NaN for n < 1 or d outside [0, 1].
// Cost: O(number of non-negligible terms) <= O(n).
double SmirnovSf(int64_t n, double d);

}  // namespace greengate::drift
