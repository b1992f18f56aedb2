#include "server/core/drift/bessel.h"

#include <cassert>
#include <cmath>

namespace greengate::drift {

double ScaledBesselK(double nu, double x) {
  assert(x > 0);
  // exp(x) K_nu(x) = int_0^inf exp(-x (cosh t - 1)) cosh(nu t) dt. The integrand is even in t,
  // so the trapezoidal sum from 0 is half the sum over the whole line.
  constexpr double kStep = 0.05;
  double sum = 0.5;  // t = 0: exp(0) cosh(0), halved
  for (int i = 1;; ++i) {
    const double t = kStep * i;
    const double term = std::exp(-x * (std::cosh(t) - 1.0)) * std::cosh(nu * t);
    sum += term;
    if (term < 1e-18 * sum) break;
  }
  return sum * kStep;
}

}  // namespace greengate::drift
