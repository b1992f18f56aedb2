#include "server/core/drift/kstwo.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "server/core/drift/kstwo_methods.h"
#include "server/core/drift/smirnov.h"

namespace greengate::drift {
namespace {

double Clip(double p) { return std::clamp(p, 0.0, 1.0); }

// Ruben & Gambino: for 1/(2n) < d <= 1/n, P(D_n <= d) = n!/n^n (2nd - 1)^n.
double RubenGambinoCdf(int64_t n, double t) {
  const double base = 2 * t - 1;
  if (n <= 140) {
    const double inv_n = 1.0 / static_cast<double>(n);
    double prod = 1.0;
    for (int64_t i = 1; i <= n; ++i) prod *= static_cast<double>(i) * inv_n * base;
    return prod;
  }
  return std::exp(internal::LogFactorialOverPower(n) + static_cast<double>(n) * std::log(base));
}

}  // namespace

double KsTwoSidedSf(int64_t n, double d) {
  if (n < 1 || std::isnan(d)) return std::numeric_limits<double>::quiet_NaN();
  if (d >= 1.0) return 0.0;
  if (d <= 0.0) return 1.0;
  const double nd = static_cast<double>(n);
  const double t = nd * d;
  if (t <= 1.0) {
    if (t <= 0.5) return 1.0;  // D_n >= 1/(2n) always
    return Clip(1.0 - RubenGambinoCdf(n, t));
  }
  if (t >= nd - 1) return Clip(2 * std::pow(1.0 - d, nd));  // Ruben & Gambino, upper end
  // For d >= 1/2 the events D+ >= d and D- >= d are disjoint: exactly twice the one-sided tail.
  if (d >= 0.5) return Clip(2 * SmirnovSf(n, d));

  const double nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 0.754693) return Clip(1.0 - internal::KsCdfDurbin(n, d));
    if (nd2 <= 4) return Clip(1.0 - internal::KsCdfPomeranz(n, d));
    return Clip(2 * SmirnovSf(n, d));  // the overlap of the two tails is negligible here
  }
  if (nd2 >= 370.0) return 0.0;  // below the smallest double
  if (nd2 >= 2.2) return Clip(2 * SmirnovSf(n, d));
  const double cdf = (n <= 100000 && nd * std::pow(d, 1.5) <= 1.4) ? internal::KsCdfDurbin(n, d)
                                                                   : internal::KsCdfPelzGood(n, d);
  return Clip(1.0 - cdf);
}

}  // namespace greengate::drift
