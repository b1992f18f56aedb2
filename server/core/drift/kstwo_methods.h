#pragma once

// The methods behind KsTwoSidedSf() (kstwo.h), one per regime of (n, d), following Simard &
// L'Ecuyer (2011) as scipy.stats._ksstats does. Internal to the drift module; callers use
// kstwo.h. Pure and thread-safe.

#include <cstdint>

namespace greengate::drift::internal {

// log(n! / n^n) by Stirling's series with n log n removed up front (no cancellation).
double LogFactorialOverPower(int64_t n);

// P(D_n <= d) by the Durbin matrix algorithm as evaluated by Marsaglia, Tsang & Wang (2003):
// the k-th diagonal entry of H^n scaled by n!/n^n, k = ceil(n d), H of size 2k - 1.
// Cost O(k^3 log n); meant for small n d.
double KsCdfDurbin(int64_t n, double d);

// P(D_n <= d) by Pomeranz's (1974) recursion: 2n + 1 convolutions of short rows.
// Cost O(n (n d)^2); meant for n <= 140.
double KsCdfPomeranz(int64_t n, double d);

// P(D_n <= d) by the Pelz-Good (1976) expansion in 1/sqrt(n) of the Li-Chien / Korolyuk
// asymptotic, in its theta-function form that converges for small sqrt(n) d. Not clipped.
double KsCdfPelzGood(int64_t n, double d);

}  // namespace greengate::drift::internal
