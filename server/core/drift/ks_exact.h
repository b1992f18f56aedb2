#pragma once

// Exact null distribution of the two-sample Kolmogorov-Smirnov statistic, by counting lattice
// paths (Hodges 1958). Internal to the drift module; callers use ks.h. Pure and thread-safe.

#include <cstdint>
#include <optional>

namespace greengate::drift::internal {

// KsTwoSampleExactSf()
//
// P(D_{n1,n2} >= h / lcm(n1, n2)) under the null hypothesis, two-sided, as scipy 1.10's
// ks_2samp(method="exact") computes it. Equal sizes use the closed-form alternating series;
// otherwise, column by column of the lattice, the probability that a random path has already
// left the band |x/n1 - y/n2| < h/lcm (Viehmann 2021): it stays in [0, 1], so unlike path
// counts it cannot overflow. Requires n1, n2 >= 1 and h >= 1. Returns nullopt if the result
// is not a probability (the caller then falls back to the asymptotic distribution, as scipy
// does). Cost: O(n) for n1 == n2, else O(max(n1, n2) * band) time with band ~ 2 D min(n1, n2)
// rows, i.e. at worst O(n1 n2) (~0.25 s at 10000 vs 9999 and D = 0.5); O(band) memory.
std::optional<double> KsTwoSampleExactSf(int64_t n1, int64_t n2, int64_t h);

}  // namespace greengate::drift::internal
