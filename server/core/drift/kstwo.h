#pragma once

// Distribution of the two-sided one-sample Kolmogorov-Smirnov statistic D_n for finite n
// (scipy.stats.kstwo). The two-sample KS test feeds it n = round(n1 n2 / (n1 + n2)).
// Pure and thread-safe.

#include <cstdint>

namespace greengate::drift {

// KsTwoSidedSf()
//
// P(D_n >= d), as scipy.stats.kstwo.sf(d, n) (scipy 1.10 `_kolmogn`, cdf=False): exact
// closed forms near d = 1/n and d = 1, twice the one-sided Smirnov tail where the two tails
// cannot overlap or the overlap is negligible (n d^2 >= 2.2 for n > 140), the Durbin matrix or
// Pomeranz recursion for small n d, and Pelz-Good otherwise. Result in [0, 1]; NaN if n < 1
// or d is NaN. Cost: at most O(n) (the Smirnov sum), typically far less.
double KsTwoSidedSf(int64_t n, double d);

}  // namespace greengate::drift
