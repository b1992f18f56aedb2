#include "server/core/drift/smirnov.h"

#include <math.h>  // lgammal_r

#include <cfloat>
#include <cmath>
#include <limits>

namespace greengate::drift {
namespace {

// scipy switches to a closed-form approximation above this n; so do we, to match its values.
constexpr int64_t kMaxExactN = 1000000;
// exp() of anything below this underflows a double (scipy's MINLOG).
constexpr double kMinLog = -745.13321910194122;

// n*d split as floor + fraction, exactly: n*d rounded in double can cross an integer.
struct FlooredProduct {
  int64_t floor;
  long double fraction;  // in [0, 1)
  double hi;             // n*d = hi + lo exactly
  double lo;
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
  return {static_cast<int64_t>(fl), frac, hi, lo};
}

// The lower Birnbaum-Tingey sum
//   d * sum_{v=0}^{vmax} A_v,  A_v = C(n,v) (d + v/n)^(v-1) (1 - d - v/n)^(n-v),
// whose terms are all positive (no cancellation) and unimodal in v. Find the peak by
// bisection on the sign of log A_{v+1} - log A_v, evaluate log A_peak directly in extended
// precision, and add terms outward from the peak via the log-ratio recurrence until the rest
// cannot change the double result. Each log-ratio is O(1) and accurate to a few ulps, so the
// accumulated error stays far below 1e-12 relative, where evaluating each term's huge log
// factors directly in double would lose ~1e-10. Far from d ~ 1/sqrt(n) the terms that matter
// sit in a narrow window around the peak; near it they can spread over O(n) values of v.
class LowerSum {
 public:
  LowerSum(int64_t n, double nd_hi, double nd_lo, int64_t vmax)
      : n_(n), nd_hi_(nd_hi), nd_lo_(nd_lo), vmax_(vmax) {}

  // d * sum_v A_v.
  double Evaluate(double d) const {
    const int64_t peak = FindPeak();
    double sum = 1.0;  // the peak term itself, relative to itself
    double log_ratio = 0.0;
    for (int64_t v = peak; v < vmax_; ++v) {  // right of the peak: A_{v+1}
      log_ratio += LogStep(v);
      const double term = std::exp(log_ratio);
      sum += term;
      if (4.0 * static_cast<double>(vmax_ - v - 1) * term < DBL_EPSILON * sum) break;
    }
    log_ratio = 0.0;
    for (int64_t v = peak - 1; v >= 0; --v) {  // left of the peak: A_v
      log_ratio -= LogStep(v);
      const double term = std::exp(log_ratio);
      sum += term;
      if (4.0 * static_cast<double>(v) * term < DBL_EPSILON * sum) break;
    }
    const long double result = static_cast<long double>(d) * std::exp(LogTerm(peak)) * sum;
    return static_cast<double>(result);
  }

 private:
  // n (d + v/n) and n (1 - d - v/n), with n d carried as hi + lo.
  double Above(int64_t v) const { return (static_cast<double>(v) + nd_hi_) + nd_lo_; }
  double Below(int64_t v) const { return (static_cast<double>(n_ - v) - nd_hi_) - nd_lo_; }

  // log A_{v+1} - log A_v for 0 <= v < vmax:
  //   log((n-v)/(v+1)) + log(P/Q) + v log1p(1/P) + (n-v-1) log1p(-1/Q),  P = Above(v), Q = Below(v)
  // (Q > 1 here since Below(v + 1) = Q - 1 > 0.)
  double LogStep(int64_t v) const {
    const double p = Above(v);
    const double q = Below(v);
    const double vd = static_cast<double>(v);
    const double rest = static_cast<double>(n_ - v);
    return std::log((rest * p) / ((vd + 1) * q)) + vd * std::log1p(1.0 / p) +
           (rest - 1) * std::log1p(-1.0 / q);
  }

  // The first v whose successor is not larger (terms rise, then fall).
  int64_t FindPeak() const {
    int64_t lo = 0;
    int64_t hi = vmax_;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (LogStep(mid) > 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // log A_v evaluated directly, in extended precision (lgammal_r: no global signgam write).
  long double LogTerm(int64_t v) const {
    int sign = 0;
    const long double n = static_cast<long double>(n_);
    const long double vl = static_cast<long double>(v);
    const long double nd = static_cast<long double>(nd_hi_) + nd_lo_;
    const long double log_binomial =
        ::lgammal_r(n + 1, &sign) - ::lgammal_r(vl + 1, &sign) - ::lgammal_r(n - vl + 1, &sign);
    return log_binomial + (vl - 1) * std::log((vl + nd) / n) +
           (n - vl) * std::log(((n - vl) - nd) / n);
  }

  int64_t n_;
  double nd_hi_;
  double nd_lo_;
  int64_t vmax_;
};

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
  if (nd_floor >= n - 1)
    return static_cast<double>(std::pow(1.0L - d, static_cast<long double>(n)));
  if (n > kMaxExactN) {
    const double log_p = -std::pow(6.0 * n_d * d + 1, 2) / 18.0 / n_d;
    return log_p < -M_LN2 ? std::exp(log_p) : 1.0 + std::expm1(log_p);
  }
  // Terms with 1 - d - v/n <= 0 vanish; v = n - floor(nd) - 1 is the last positive one.
  return LowerSum(n, nd.hi, nd.lo, n - nd_floor - 1).Evaluate(d);
}

}  // namespace greengate::drift
