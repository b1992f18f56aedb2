#include "server/core/gain/normal.h"

#include <cmath>
#include <limits>

namespace greengate::gain {
namespace {

constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrt2Pi = 2.50662827463100050242;

// Peter Acklam's rational approximations of the quantile (relative error < 1.2e-9): one for
// the central region, one for each tail. Coefficients are his published constants.
constexpr double kCentralNum[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                  -2.759285104469687e+02, 1.383577518672690e+02,
                                  -3.066479806614716e+01, 2.506628277459239e+00};
constexpr double kCentralDen[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                  -1.556989798598866e+02, 6.680131188771972e+01,
                                  -1.328068155288572e+01};
constexpr double kTailNum[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
constexpr double kTailDen[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
constexpr double kTailStart = 0.02425;  // below: the tail approximation

// Horner evaluation of c[0] x^(n-1) + ... + c[n-1].
template <int N>
double Polynomial(const double (&c)[N], double x) {
  double sum = c[0];
  for (int i = 1; i < N; ++i) sum = sum * x + c[i];
  return sum;
}

// Quantile for p in (0, 0.5], where both approximations and the residual are accurate.
double LowerQuantile(double p) {
  if (p < kTailStart) {
    const double q = std::sqrt(-2 * std::log(p));
    const double x = Polynomial(kTailNum, q) / (Polynomial(kTailDen, q) * q + 1);
    // Halley step on F(x) - p. erfc keeps the residual accurate however small p is; the
    // step needs 1/pdf(x), which overflows only for p below ~1e-306 (left unrefined).
    const double half_x2 = 0.5 * x * x;
    if (half_x2 > 700) return x;
    const double residual = NormalCdf(x) - p;
    const double u = residual * kSqrt2Pi * std::exp(half_x2);
    return x - u / (1 + 0.5 * x * u);
  }
  const double q = p - 0.5;
  const double r = q * q;
  const double x = Polynomial(kCentralNum, r) * q / (Polynomial(kCentralDen, r) * r + 1);
  // Here the residual is taken as erf(x/sqrt2)/2 - (p - 0.5): F(x) - p would cancel to
  // nothing near p = 0.5 and lose the relative accuracy of a small x.
  const double residual = 0.5 * std::erf(x / kSqrt2) - q;
  const double u = residual * kSqrt2Pi * std::exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

}  // namespace

double NormalCdf(double x) { return 0.5 * std::erfc(-x / kSqrt2); }

double NormalQuantile(double p) {
  if (std::isnan(p) || p < 0 || p > 1) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0) return -std::numeric_limits<double>::infinity();
  if (p == 1) return std::numeric_limits<double>::infinity();
  // Symmetry: for p > 0.5, 1 - p is exact (Sterbenz), so the upper half loses nothing.
  if (p > 0.5) return -LowerQuantile(1 - p);
  return LowerQuantile(p);
}

}  // namespace greengate::gain
