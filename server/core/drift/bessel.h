#pragma once

// Modified Bessel function of the second kind for real order, as needed by the
// Cramér-von Mises limiting distribution. Pure and thread-safe.

namespace greengate::drift {

// ScaledBesselK()
//
// exp(x) * K_nu(x) for x > 0 and any real order nu (scipy.special.kve(nu, x)), from the
// integral K_nu(x) = int_0^inf exp(-x cosh t) cosh(nu t) dt with the trapezoidal rule, which
// converges geometrically for this analytic, doubly-exponentially decaying integrand
// (relative error ~1e-15 for x >= 1e-4, |nu| <= 2). The scaling keeps large x from
// underflowing. `x` must be > 0 (asserted).
double ScaledBesselK(double nu, double x);

}  // namespace greengate::drift
