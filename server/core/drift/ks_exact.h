#pragma once

// Exact null distribution of the two-sample Kolmogorov-Smirnov statistic, by counting lattice
// paths (Hodges 1958). Internal to the drift module; callers use ks.h. Pure and thread-safe.

#include <cstdint>
#include <optional>

namespace greengate::drift::internal {

// P(D_{n1,n2} >= h / lcm(n1, n2)) under the null hypothesis, two-sided, as scipy 1.10's
// ks_2samp(method="exact") computes it. Equal sizes use the closed-form alternating series;
// otherwise the probability of leaving the band |x/n1 - y/n2| < h/lcm is propagated column
// by column (Viehmann 2021's recursion for 1 - p, which stays in [0, 1] and cannot overflow).
// Requires n1, n2 >= 1 and 1 <= h. Returns nullopt if the result is not a probability (the
// caller then falls back to the asymptotic distribution, as scipy does).
// Cost: O(n1) for n1 == n2, else O(max(n1,n2) * (band width)) <= O(n1 n2) time, O(n) memory.
std::optional<double> KsTwoSampleExactSf(int64_t n1, int64_t n2, int64_t h);

}  // namespace greengate::drift::internal
