#include "server/core/drift/smirnov.h"

#include <cfloat>
#include <cmath>
#include <limits>

namespace greengate::drift {
namespace {

// Above this n the sum has too many terms; scipy switches to an approximation here too.
constexpr int64_t kMaxExactN = 1000000;
// exp() of anything below this underflows a double (scipy's MINLOG).
constexpr double kMinLog = -745.13321910194122;

// n*d split as floor + fraction, exactly: n*d rounded in double can cross an integer.
struct FlooredProduct {
  int64_t floor;
  long double fraction;  // in [0, 1)
  long double value;     // n*d in extended precision
};

FlooredProduct FloorOfProduct(int64_t n, double d) {
  const double nd = static_cast<double>(n);
  const double hi = nd * d;
  const double lo = std::fma(nd, d, -hi);  // exact rounding error of hi
  double fl = std::floor(hi);
  long double frac = static_cast<long double>(hi - fl) + lo;
  if (frac < 0) {
    fl -= 1;
    frac += 1;
  } else if (frac >= 1) {
    fl += 1;
    frac -= 1;
  }
  return {static_cast<int64_t>(fl), frac, static_cast<long double>(hi) + lo};
}

// The lower Birnbaum-Tingey sum
//   d * sum_{v=0}^{vmax} C(n,v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v),
// whose terms are all positive (no cancellation) and unimodal in v, so the loop stops once
// the terms after the peak can no longer change the double result.
double LowerSum(int64_t n, double d, long double nd, int64_t vmax) {
  const long double n_l = static_cast<long double>(n);
  long double log_binomial = 0;  // log C(n, v), updated incrementally
  long double sum = 0;
  long double previous = 0;
  for (int64_t v = 0; v <= vmax; ++v) {
    const long double vl = static_cast<long double>(v);
    const long double above = (vl + nd) / n_l;        // d + v/n
    const long double below = ((n_l - vl) - nd) / n_l;  // 1 - d - v/n, without cancellation
    const long double log_term =
        log_binomial + (vl - 1) * std::log(above) + (n_l - vl) * std::log(below);
    const long double term = std::exp(log_term);
    sum += term;
    const bool past_peak = term < previous;
    if (past_peak && 4.0L * static_cast<long double>(vmax - v) * term < DBL_EPSILON * sum) {
      break;
    }
    previous = term;
    log_binomial += std::log((n_l - vl) / (vl + 1));
  }
  return static_cast<double>(d * sum);
}

}  // namespace

double SmirnovSf(int64_t n, double d) {
  if (!(n >= 1 && d >= 0.0 && d <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  if (n == 1) return 1.0 - d;
  if (d == 0.0) return 1.0;
  if (d == 1.0) return 0.0;

  const FlooredProduct nd = FloorOfProduct(n, d);
  int64_t nd_floor = nd.floor;
  long double fraction = nd.fraction;
  if (fraction == 1) {
    nd_floor += 1;
    fraction = 0;
  }
  const double n_d = static_cast<double>(n);
  // d <= 1/n: closed form cdf = d (1 + d)^(n-1).
  if (nd_floor == 0 || (nd_floor == 1 && fraction == 0)) {
    const long double cdf = d * std::pow(1.0L + d, static_cast<long double>(n - 1));
    return static_cast<double>(1.0L - cdf);
  }
  if (-2.0 * n_d * d * d < kMinLog) return 0.0;
  // d >= 1 - 1/n: only the v = 0 term survives.
  if (nd_floor >= n - 1) return static_cast<double>(std::pow(1.0L - d, static_cast<long double>(n)));
  if (n > kMaxExactN) {
    const double log_p = -std::pow(6.0 * n_d * d + 1, 2) / 18.0 / n_d;
    return log_p < -M_LN2 ? std::exp(log_p) : 1.0 + std::expm1(log_p);
  }
  // Terms with 1 - d - v/n <= 0 vanish; v = n - floor(nd) - 1 is the last positive one.
  return LowerSum(n, d, nd.value, n - nd_floor - 1);
}

}  // namespace greengate::drift
