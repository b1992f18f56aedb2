#include "server/core/drift/smirnov.h"

#include <math.h>  // lgammal_r

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <optional>

namespace greengate::drift {
namespace {

// scipy switches to a closed-form approximation above this n; so do we, to match its values.
constexpr int64_t kMaxExactN = 1000000;
// exp() of anything below this underflows a double (scipy's MINLOG).
constexpr double kMinLog = -745.13321910194122;
// The integral replaces the sum only where at least ~this many terms matter (below it the
// sum is as cheap) and where the terms it leaves out are below e^-40 of the peak's. A node below
// kNegligibleNode of the running sum ends its direction.
constexpr double kMinIntegralWidth = 64;
// Stirling's series stands for the factorials from here up.
constexpr long double kMinStirling = 30;
constexpr long double kLogNegligibleEnd = -40;
constexpr long double kNegligibleNode = 1e-18L;
// The trapezoid rule's error about squares with each halving of the step (from the width,
// measured over n in [1e3, 1e6] and n d^2 in [2, 400]: errors 1e-9 to 6e-5, then below
// 0.3 times their square). So once two successive rules differ by less than kAgreement, the
// finer one is within ~1e-15 of the integral; the tests hold it to the term-by-term sum.
constexpr long double kAgreement = 1e-7L;
constexpr int kMaxHalvings = 4;

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
// precision, and add the terms relative to it: outward from the peak via the log-ratio
// recurrence until the rest cannot change the double result, or, where thousands of terms
// matter, as an integral (IntegralRelativeToPeak). Each log-ratio is O(1) and accurate to a few
// ulps, so the accumulated error stays far below 1e-12 relative, where evaluating each term's huge
// log factors directly in double would lose ~1e-10. Far from d ~ 1/sqrt(n) the terms that matter
// sit in a narrow window around the peak; near it they can spread over O(n) values of v.
class LowerSum {
 public:
  LowerSum(int64_t n, double nd_hi, double nd_lo, int64_t vmax, bool allow_integral)
      : n_(n), nd_hi_(nd_hi), nd_lo_(nd_lo), vmax_(vmax), allow_integral_(allow_integral) {}

  // d * sum_v A_v.
  double Evaluate(double d) const {
    const int64_t peak = FindPeak();
    const std::optional<long double> integral =
        allow_integral_ ? IntegralRelativeToPeak(peak) : std::nullopt;
    const long double sum = integral.has_value() ? *integral : SumRelativeToPeak(peak);
    return static_cast<double>(static_cast<long double>(d) * std::exp(LogTerm(peak)) * sum);
  }

 private:
  // sum_v A_v / A_peak, term by term outward from the peak.
  long double SumRelativeToPeak(int64_t peak) const {
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
    return sum;
  }

  // sum_v A_v / A_peak as the integral of the terms' smooth extension to real v (factorials
  // through Stirling's series), or nullopt where that is not accurate or not cheaper.
  //
  // Where many terms matter they vary smoothly and vanish towards both ends of [0, vmax], so
  // their sum equals the integral of the extension (the trapezoid rule of step 1, whose error
  // falls like e^(-2 pi width)). That integral is taken by the trapezoid rule in
  // u = log((v + nd) / (n - nd - v)), which sends the extension's singularities at v = -nd and
  // v = n - nd to infinity and makes the integrand close to a Gaussian in u: its error then
  // falls faster than geometrically as the step shrinks. The step starts at the width and is
  // halved until two successive rules agree (kAgreement): about 40 nodes in place of up to
  // O(n) terms.
  std::optional<long double> IntegralRelativeToPeak(int64_t peak) const {
    // Width of the terms around the peak, from the curvature of log A_v there.
    const double curvature = LogStep(peak - 1) - LogStep(peak);
    if (!(curvature > 0) || curvature * kMinIntegralWidth * kMinIntegralWidth > 1) {
      return std::nullopt;  // few terms matter: summing them is cheaper and exact
    }
    // The terms outside [kMinStirling, n - kMinStirling] (which Stirling's series does not
    // reach) and both ends must be negligible for the integral to equal the sum. The terms
    // rise to the peak and fall after it, so it is enough to look at the two innermost.
    const int64_t low = static_cast<int64_t>(kMinStirling);
    const int64_t high = std::min(vmax_, n_ - low);
    if (low >= peak || high <= peak) return std::nullopt;
    const long double log_peak = LogTerm(peak);
    if (LogTerm(low) - log_peak > kLogNegligibleEnd ||
        LogTerm(high) - log_peak > kLogNegligibleEnd) {
      return std::nullopt;
    }
    const PeakFrame frame = MakeFrame(peak);
    const long double u_peak = std::log(frame.above / frame.below);
    const long double n = static_cast<long double>(n_);
    long double step =
        (n / (frame.above * frame.below)) / std::sqrt(static_cast<long double>(curvature));
    long double coarse = step * SumOfNodes(frame, u_peak, step);
    for (int halving = 0; halving < kMaxHalvings; ++halving) {
      const long double fine = 0.5L * (coarse + step * SumOfNodes(frame, u_peak + step / 2, step));
      if (std::fabs(fine - coarse) <= kAgreement * fine) return fine;
      coarse = fine;
      step /= 2;
    }
    return std::nullopt;
  }

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

  // What log A(v) - log A(peak) needs of the peak p: q = n - p, a = p + nd, b = q - nd, the
  // slope log(q a / (p b)) (near 0 at the peak) and Stirling's remainders there.
  struct PeakFrame {
    long double p, q, above, below, slope, rest_p, rest_q;
  };

  PeakFrame MakeFrame(int64_t peak) const {
    const long double n = static_cast<long double>(n_);
    const long double nd = static_cast<long double>(nd_hi_) + nd_lo_;
    PeakFrame f;
    f.p = static_cast<long double>(peak);
    f.q = n - f.p;
    f.above = f.p + nd;
    f.below = f.q - nd;
    f.slope = std::log((f.q * f.above) / (f.p * f.below));
    f.rest_p = StirlingRest(f.p);
    f.rest_q = StirlingRest(f.q);
    return f;
  }

  // log Gamma(x + 1) - ((x + 1/2) log x - x + log(2 pi) / 2), for x >= kMinStirling: five
  // terms of Stirling's series, whose error there is below 1e-21.
  static long double StirlingRest(long double x) {
    const long double r = 1 / x;
    const long double r2 = r * r;
    return r *
           (1.0L / 12 - r2 * (1.0L / 360 - r2 * (1.0L / 1260 - r2 * (1.0L / 1680 - r2 / 1188))));
  }

  // log A(v) - log A(p) at a real v, as small terms: writing each factorial by Stirling and
  // each logarithm at v as the one at p plus log1p of the step, the terms linear in
  // delta = v - p collapse into delta * slope, and every other term is computed without
  // cancelling the O(n log n) magnitudes of the logarithms themselves.
  static long double LogRatioToPeak(const PeakFrame& f, long double v) {
    const long double delta = v - f.p;
    const long double q_v = f.q - delta;  // n - v
    if (v < kMinStirling || q_v < kMinStirling)
      return -std::numeric_limits<long double>::infinity();
    return delta * f.slope - (v + 0.5L) * std::log1p(delta / f.p) -
           (q_v + 0.5L) * std::log1p(-delta / f.q) + (v - 1) * std::log1p(delta / f.above) +
           q_v * std::log1p(-delta / f.below) - (StirlingRest(v) - f.rest_p) -
           (StirlingRest(q_v) - f.rest_q);
  }

  // sum_k A(v(u_k)) dv/du / A_peak over the nodes u_k = start + k step, k in Z, taken outward
  // from start while the terms matter, inside (-0.5, vmax + 0.5).
  long double SumOfNodes(const PeakFrame& frame, long double start, long double step) const {
    const long double n = static_cast<long double>(n_);
    const long double nd = static_cast<long double>(nd_hi_) + nd_lo_;
    long double sum = 0;
    for (const long double direction : {1.0L, -1.0L}) {
      // e^-u at the nodes, by a geometric progression from the first one.
      const long double ratio = std::exp(-direction * step);
      long double e = std::exp(-(direction > 0 ? start : start - step));
      for (;; e *= ratio) {
        // v + nd = n / (1 + e^-u), n - nd - v = n / (1 + e^u), dv/du = their product / n.
        const long double above = n / (1 + e);
        const long double below = n - above;
        const long double v = above - nd;
        if (v <= -0.5L || v >= static_cast<long double>(vmax_) + 0.5L) break;
        const long double term = std::exp(LogRatioToPeak(frame, v)) * (above * below / n);
        sum += term;
        if (term < kNegligibleNode * sum) break;
      }
    }
    return sum;
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
  bool allow_integral_;
};

double Smirnov(int64_t n, double d, bool allow_integral) {
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
  return LowerSum(n, nd.hi, nd.lo, n - nd_floor - 1, allow_integral).Evaluate(d);
}

}  // namespace

double SmirnovSf(int64_t n, double d) { return Smirnov(n, d, /*allow_integral=*/true); }

namespace internal {

double SmirnovSfTermByTerm(int64_t n, double d) { return Smirnov(n, d, /*allow_integral=*/false); }

}  // namespace internal

}  // namespace greengate::drift
